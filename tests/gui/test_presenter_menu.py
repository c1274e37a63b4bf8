"""View > Presenter mode (both toggles at once, each still alone), View > Theme with icons
recoloured for the palette, and the Help menu's shortcuts and About dialogs."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QApplication, QTableWidget

from tokenlab.core.settings import load_settings
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext
from tokenlab.gui.main_window import MainWindow


def table_texts(window: MainWindow) -> list[str]:
    table = window.help_dialog.findChild(QTableWidget)
    assert table is not None
    return [table.item(r, c).text() for r in range(table.rowCount()) for c in (0, 1)]


async def test_presenter_mode_sets_both_and_each_stays_alone(
    window: MainWindow, ctx: AppContext
) -> None:
    base = QGuiApplication.font().pointSizeF()
    assert window.presenter_action.shortcut().toString() == "Ctrl+Shift+P"
    window.presenter_action.trigger()
    assert window.large_font_action.isChecked() and window.mask_action.isChecked()
    assert ctx.mask_secrets and QGuiApplication.font().pointSizeF() > base
    window.large_font_action.setChecked(False)  # one alone: presenter mode is no longer on
    assert ctx.mask_secrets and not window.presenter_action.isChecked()
    window.large_font_action.setChecked(True)
    assert window.presenter_action.isChecked()
    window.presenter_action.trigger()
    assert not ctx.mask_secrets and not load_settings().large_font
    assert abs(QGuiApplication.font().pointSizeF() - base) < 0.01


def grey_of(name: str) -> QColor:
    image = theme.icon(name).pixmap(QSize(32, 32)).toImage()
    colours = [image.pixelColor(x, y) for x in range(32) for y in range(32)]
    opaque = [c for c in colours if c.alpha() > 200]
    return max(opaque, key=lambda c: c.lightness())


async def test_theme_menu_switches_palette_and_icons(window: MainWindow, ctx: AppContext) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light_icon = grey_of("copy")
    window.theme_actions["dark"].trigger()
    try:
        assert ctx.settings.theme == "dark" and theme.is_dark()
        assert grey_of("copy").lightness() > light_icon.lightness() + 60  # visible on dark
        window.theme_actions["light"].trigger()
        assert not theme.is_dark() and load_settings().theme == "light"
    finally:
        window.set_theme("light")
    window.theme_actions["system"].trigger()
    assert ctx.settings.theme == "system"


async def test_help_menu_shortcuts_and_about(window: MainWindow) -> None:
    titles = [a.text() for a in window.help_menu.actions()]
    assert titles[0] == "&Lessons" and "" in titles  # Lessons first; a separator before ours
    assert "&Keyboard shortcuts…" in titles and "&About tokenlab…" in titles
    window.show_shortcuts()
    texts = table_texts(window)
    assert "Ctrl+Shift+P" in texts and any(t.startswith("Presenter mode") for t in texts)
    assert "Ctrl+Shift+M" in texts and "Ctrl+1 … Ctrl+9" in texts
    window.help_dialog.close()
    window.show_about()
    texts = table_texts(window)
    assert "segno" in texts and "PySide6-Essentials" in texts
    window.help_dialog.close()
