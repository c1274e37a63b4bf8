"""The main window: tab registry, shortcuts, paste-to-Inspect, presenter toggles, settings."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtTest import QTest

from tests.gui.helpers import settle, wait_signal, wait_until
from tokenlab.core import samples
from tokenlab.core.report import TokenKind
from tokenlab.core.settings import load_settings
from tokenlab.gui.context import AppContext
from tokenlab.gui.main_window import MainWindow
from tokenlab.gui.tabs import TAB_ENTRIES
from tokenlab.gui.tabs.base import TabSpec


def test_the_registry_lists_every_tab_in_order_and_each_loads_its_own_spec() -> None:
    ids = [entry.tab_id for entry in TAB_ENTRIES]
    assert ids == ["inspect", "token_request", "jwt", "live", "sandbox", "lessons"]
    for entry in TAB_ENTRIES:
        spec = entry.load()
        assert isinstance(spec, TabSpec)
        assert (spec.tab_id, spec.title) == (entry.tab_id, entry.title)


async def test_pages_are_built_when_first_shown(ctx: AppContext, qtbot: Any) -> None:
    win = MainWindow(ctx)  # the real registry
    qtbot.addWidget(win)
    assert win.tab_ids == [entry.tab_id for entry in TAB_ENTRIES]
    assert win.pages == {}  # the window paints before any page is built
    win.show_first_page()
    assert list(win.pages) == ["inspect"]  # the tab restored from settings
    win.tabs.setCurrentIndex(win.tab_ids.index("jwt"))  # a click on the tab bar
    assert set(win.pages) == {"inspect", "jwt"}
    win.build_pages_after_start()
    await wait_until(lambda: "sandbox" in win.pages)  # it keeps the journal from the start
    assert "live" not in win.pages and "token_request" not in win.pages
    for page in win.pages.values():
        page.shutdown()


async def test_ctrl_number_switches_tabs(window: MainWindow) -> None:
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.page("jwt")
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.page("inspect")


async def test_ctrl_1_to_6_reach_all_six_tabs(ctx: AppContext, qtbot: Any) -> None:
    """The README's "Ctrl+1…6 switch tabs", with the real registry; each tooltip says its key."""
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    await wait_until(win.isActiveWindow)  # window shortcuts need the active window
    keys = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_6)
    try:
        for number, (key, tab_id) in enumerate(zip(keys, win.tab_ids, strict=True), 1):
            QTest.keyClick(win, key, Qt.KeyboardModifier.ControlModifier)
            assert win.current_tab_id() == tab_id
            assert win.tabs.tabToolTip(number - 1).endswith(f" (Ctrl+{number})")
        assert win.current_tab_id() == "lessons"
    finally:
        for page in win.pages.values():
            page.shutdown()


async def test_paste_with_no_text_field_goes_to_inspect(window: MainWindow) -> None:
    window.show_tab("jwt")
    window.tabs.tabBar().setFocus()
    token = samples.sample_text("expired-token", now_ms=1_700_000_000_000).strip()
    QGuiApplication.clipboard().setText(token)
    window.paste_action.trigger()
    await settle()
    page: Any = window.page("inspect")
    assert window.current_page() is page
    assert page.editor.text() == token
    assert page.report.kind == TokenKind.ABLY_JWT


async def test_token_sent_from_another_tab_opens_inspect(
    window: MainWindow, ctx: AppContext
) -> None:
    window.show_tab("token_request")
    ctx.send_to_inspect("appId.keyId:secretsecret")
    page: Any = window.page("inspect")
    assert window.current_page() is page
    assert page.report.kind == TokenKind.API_KEY


async def test_dropping_a_file_inspects_it(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "token.txt"
    path.write_text(samples.load_sample("token-request"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPoint(5, 5).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    page: Any = window.page("inspect")
    assert page.report.kind == TokenKind.TOKEN_REQUEST


async def test_close_saves_geometry_and_last_tab(window: MainWindow, ctx: AppContext) -> None:
    window.show_tab("jwt")
    window.resize(700, 500)
    closing = asyncio.ensure_future(wait_signal(window.close_requested))
    await settle()
    window.close()
    await closing
    saved = load_settings()
    assert saved.last_tab == "jwt"
    assert saved.window_geometry


async def test_geometry_and_tab_are_restored(ctx: AppContext, qtbot: Any) -> None:
    from tokenlab.gui.tabs.inspect_tab import TAB as INSPECT
    from tokenlab.gui.tabs.jwt_tab import TAB as JWT

    first = MainWindow(ctx, [INSPECT, JWT])
    qtbot.addWidget(first)
    first.resize(700, 500)  # the offscreen screen is 800x600; restoring clamps to it
    geometry = bytes(first.saveGeometry().toBase64().data()).decode()
    ctx.update_settings(window_geometry=geometry, last_tab="jwt")
    second = MainWindow(ctx, [INSPECT, JWT])
    qtbot.addWidget(second)
    assert second.current_page() is second.page("jwt")
    assert (second.width(), second.height()) == (700, 500)
    for win in (first, second):
        for page in win.pages.values():
            page.shutdown()


async def test_presenter_toggles_persist_and_apply(window: MainWindow, ctx: AppContext) -> None:
    app_font = QGuiApplication.font().pointSizeF()
    window.large_font_action.setChecked(True)
    assert QGuiApplication.font().pointSizeF() > app_font
    window.mask_action.setChecked(True)
    assert load_settings().large_font and load_settings().mask_secrets
    window.large_font_action.setChecked(False)
    assert abs(QGuiApplication.font().pointSizeF() - app_font) < 0.01
    window.mask_action.setChecked(False)


async def test_time_format_menu(window: MainWindow, ctx: AppContext) -> None:
    window.time_actions["utc"].trigger()
    assert ctx.settings.time_format == "utc"


async def test_status_bar_shows_sandbox_and_busy(window: MainWindow, ctx: AppContext) -> None:
    assert "off" in window.sandbox_label.text()
    ctx.external_sandbox_url = "http://127.0.0.1:9999"
    ctx.set_sandbox(None)
    assert "http://127.0.0.1:9999" in window.sandbox_label.text()
    task = ctx.runner.submit(lambda: asyncio.sleep(0.05), label="Working on it")
    assert window.busy.isVisibleTo(window) and window.activity.text() == "Working on it"
    await task
    await settle()
    assert not window.busy.isVisibleTo(window)


async def test_controls_have_accessible_names(window: MainWindow) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit

    unnamed = []
    for kind in (QLineEdit, QPlainTextEdit):
        for widget in window.findChildren(kind):
            if not widget.accessibleName() and widget.parent() is not None:
                unnamed.append(widget)
    # line/text edits inside combo boxes and spin boxes are named by their owner
    unnamed = [w for w in unnamed if type(w.parent()).__name__ not in ("QComboBox", "QSpinBox")]
    assert unnamed == []
    buttons = [
        b for b in window.findChildren(QAbstractButton) if not b.objectName().startswith("qt_")
    ]
    assert all(b.text() or b.accessibleName() for b in buttons)


async def test_settings_error_is_shown_not_fatal(ctx: AppContext) -> None:
    from tokenlab.core.errors import SettingsError

    ctx.settings_error = SettingsError("Settings in x could not be fully used: nope.")
    assert dataclasses.replace(ctx.settings) == ctx.settings


async def test_memory_only_secrets_are_announced(ctx: AppContext, qtbot: Any) -> None:
    import keyring
    from keyring.backends import fail

    from tokenlab.core.secrets import SecretStore

    keyring.set_keyring(fail.Keyring())
    ctx.secrets = SecretStore()
    win = MainWindow(ctx, [])
    qtbot.addWidget(win)
    win.finish_startup()
    assert win.status.secrets_label.text() == "Key secrets: memory only"
    assert "memory" in win.status.secrets_label.toolTip()


async def test_key_profiles_dialog(window: MainWindow, ctx: AppContext) -> None:
    window.open_key_profiles()
    dialog: Any = window._profiles_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    dialog.name.setText("staging")
    dialog.key.setText("no-colon-here")
    dialog._save()
    assert "no ':'" in dialog.feedback.text()  # the shape problem, named inline
    dialog.key.setText("appA.keyB:s3cr3t-value")
    dialog.endpoint.setCurrentIndex(1)  # sandbox
    dialog._save()
    assert [p.key_name for p in ctx.settings.key_profiles] == ["appA.keyB"]
    assert ctx.secrets.get("appA.keyB") == "s3cr3t-value"
    assert any(c.key_name == "appA.keyB" and c.key for c in ctx.key_choices())
    dialog.profiles.setCurrentRow(0)
    dialog._remove()
    assert ctx.settings.key_profiles == ()
    assert ctx.secrets.get("appA.keyB") is None
    dialog.close()


async def test_help_shows_the_sandbox_compatibility_page(window: MainWindow) -> None:
    actions = [a.text() for a in window.menuBar().actions()]
    help_menu = window.menuBar().actions()[actions.index("&Help")].menu()
    assert "Sandbox &compatibility" in [a.text() for a in help_menu.actions()]
    window.open_compatibility()
    dialog: Any = window._compatibility
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    text = dialog.browser.toPlainText()
    assert "Not implemented" in text and "Known differences from Ably" in text
