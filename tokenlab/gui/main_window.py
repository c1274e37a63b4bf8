"""The main window: tabs, menus, shortcuts and the status bar. It composes; it does not compute.

Desktop conventions live here: Ctrl+1…9 switch to the first nine tabs (Ctrl+1…6 today), pasting
while no text field has focus sends the text to Inspect, files dropped anywhere open in Inspect,
View > Presenter mode (Ctrl+Shift+P: larger font and masked secrets together, each also alone),
View > Theme (system, light, dark), the Help menu (lessons, shortcuts, About) and the window
geometry and last tab are kept in settings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMenu,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.errors import UserError
from tokenlab.core.settings import THEMES, TIME_FORMATS
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext
from tokenlab.gui.tabs import TAB_ENTRIES, TabEntry
from tokenlab.gui.widgets.files import read_dropped_text
from tokenlab.gui.widgets.status_bar import AppStatusBar

if TYPE_CHECKING:  # only annotations here: each Qt class costs start-up time when first touched
    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
    from PySide6.QtWidgets import QDialog

    from tokenlab.gui.tabs.base import TabPage, TabSpec

log = logging.getLogger(__name__)

MAX_TABS_WITH_SHORTCUT = 9


class MainWindow(QMainWindow):
    close_requested = Signal()
    first_shown = Signal()

    def __init__(self, ctx: AppContext, specs: list[TabSpec] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self._shown_once = False
        self.close_was_requested = False  # set by closeEvent (amain may start after it)
        self._profiles_dialog: QDialog | None = None
        self._compatibility: QDialog | None = None
        self.setWindowTitle("tokenlab")
        self.setWindowIcon(theme.icon("tokenlab"))
        self.setAcceptDrops(True)
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.setAccessibleName("Main tabs")
        self.setCentralWidget(self.tabs)
        self.pages: dict[str, TabPage] = {}  # the pages built so far
        entries = TAB_ENTRIES if specs is None else tuple(TabEntry.from_spec(s) for s in specs)
        self._entries = {entry.tab_id: entry for entry in entries}
        self._hosts: dict[str, QWidget] = {}
        for entry in entries:
            self._add_tab(entry)
        self._build_status_bar()
        self._build_menus()
        self._build_shortcuts()
        self._connect_context()
        self._restore_from_settings()

    # construction ------------------------------------------------------------------------------

    def _add_tab(self, entry: TabEntry) -> None:
        host = QWidget()
        host.setObjectName(f"{entry.tab_id}_host")
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        index = self.tabs.addTab(host, entry.title)
        number = f" (Ctrl+{index + 1})" if index < MAX_TABS_WITH_SHORTCUT else ""
        self.tabs.setTabToolTip(index, (entry.tooltip or entry.title) + number)
        self._hosts[entry.tab_id] = host

    def page(self, tab_id: str) -> TabPage | None:
        """The tab's page, built now if it was not yet (None: no such tab)."""
        if tab_id in self.pages:
            return self.pages[tab_id]
        entry, host = self._entries.get(tab_id), self._hosts.get(tab_id)
        if entry is None or host is None:
            return None
        page = entry.load().create(self.ctx)  # the first use imports the tab's module
        layout = host.layout()
        assert layout is not None
        layout.addWidget(page)
        self.pages[tab_id] = page
        return page

    @property
    def tab_ids(self) -> list[str]:
        return list(self._entries)

    def show_first_page(self) -> None:
        """Build the current tab's page: called once the empty window has been painted."""
        page = self.current_page()
        if page is not None:
            page.tab_shown()

    def finish_startup(self) -> None:
        """Once the loop runs: what is slow and not needed to show the window."""
        self.status.update_secrets()  # imports keyring
        self.build_pages_after_start()

    def build_pages_after_start(self) -> None:
        """Build the pages that must exist from the start (``build_after_start``) though not
        shown yet, one per event-loop pass; the others wait until their tab is first shown."""
        missing = [
            t for t, e in self._entries.items() if e.build_after_start and t not in self.pages
        ]
        if missing:
            self.page(missing[0])
            QTimer.singleShot(0, self.build_pages_after_start)

    def _build_status_bar(self) -> None:
        self.status = AppStatusBar(self.ctx, self)
        self.setStatusBar(self.status)
        self.busy = self.status.busy
        self.activity = self.status.activity
        self.sandbox_label = self.status.sandbox_label

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        if isinstance(shortcut, str):
            # setShortcuts([...]), not setShortcut(...): the latter's overloads load the Qt
            # namespace's ~90 enums before the first frame (~30 ms of start-up)
            action.setShortcuts([QKeySequence(shortcut)])
        elif shortcut is not None:  # all the platform's keys for it (Copy: Ctrl+C and Ctrl+Ins)
            action.setShortcuts(shortcut)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = bar.addMenu("&Edit")
        self.copy_action = self._action(edit, "&Copy", self._copy, QKeySequence.StandardKey.Copy)
        self.paste_action = self._action(
            edit, "&Paste into Inspect", self._paste, QKeySequence.StandardKey.Paste
        )
        view = bar.addMenu("&View")
        self.presenter_action = self._toggle(
            view, "&Presenter mode (larger font, masked secrets)", self._on_presenter,
            "Ctrl+Shift+P",
        )  # fmt: skip
        self.large_font_action = self._toggle(view, "&Larger font", self._on_large, "Ctrl+Shift+L")
        self.mask_action = self._toggle(
            view, "&Mask secrets and signatures", self._on_mask, "Ctrl+Shift+M"
        )
        view.addSeparator()
        self._build_time_menu(view.addMenu("&Times"))
        self._build_theme_menu(view.addMenu("T&heme"))
        keys = bar.addMenu("&Keys")
        self._action(keys, "&Manage key profiles…", self.open_key_profiles)
        self.help_menu = bar.addMenu("&Help")
        self.lessons_action = self._action(
            self.help_menu, "&Lessons", lambda: self.show_tab("lessons")
        )
        self._action(self.help_menu, "Sandbox &compatibility", self.open_compatibility)
        self.help_menu.addSeparator()
        self._action(self.help_menu, "&Keyboard shortcuts…", self.show_shortcuts, "Ctrl+/")
        self._action(self.help_menu, "&About tokenlab…", self.show_about)

    def _toggle(
        self, menu: QMenu, text: str, slot: Callable[[bool], object], keys: str | None = None
    ) -> QAction:
        action = menu.addAction(text)
        action.setCheckable(True)
        action.toggled.connect(slot)
        if keys:
            action.setShortcuts([QKeySequence(keys)])  # see _action
        return action

    def _radio_menu(
        self, menu: QMenu, labels: dict[str, str], chosen: Callable[[str], object]
    ) -> dict[str, QAction]:
        """One checkable action per value (exclusive); ``chosen(value)`` when one is picked."""
        group = QActionGroup(self)
        actions: dict[str, QAction] = {}
        for value, label in labels.items():
            action = group.addAction(label)
            action.setCheckable(True)
            action.setData(value)
            menu.addAction(action)
            actions[value] = action
        group.triggered.connect(lambda a: chosen(str(a.data())))
        return actions

    def _build_theme_menu(self, menu: QMenu) -> None:
        labels = {"system": "&System (follow the desktop)", "light": "&Light", "dark": "&Dark"}
        self.theme_actions = self._radio_menu(menu, {m: labels[m] for m in THEMES}, self.set_theme)
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._on_color_scheme_changed)

    def _build_time_menu(self, menu: QMenu) -> None:
        labels = {"relative": "&Relative (in 4 min)", "local": "&Local time", "utc": "&UTC"}
        self.time_actions = self._radio_menu(
            menu,
            {f: labels[f] for f in TIME_FORMATS},
            lambda fmt: self.ctx.update_settings(time_format=fmt),
        )

    def _build_shortcuts(self) -> None:
        for index, tab_id in enumerate(self.tab_ids[:MAX_TABS_WITH_SHORTCUT]):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda t=tab_id: self.show_tab(t))

    def _connect_context(self) -> None:
        self.ctx.show_tab_requested.connect(self.show_tab)
        self.ctx.manage_keys_requested.connect(self.open_key_profiles)
        self.ctx.reporter.dialog_parent = lambda: self

    def _restore_from_settings(self) -> None:
        settings = self.ctx.settings
        if settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(settings.window_geometry.encode("ascii")))
        else:
            self.resize(1200, 760)
        host = self._hosts.get(settings.last_tab)
        if host is not None:  # selected, not built: show_first_page builds it after a paint
            self.tabs.setCurrentWidget(host)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.large_font_action.setChecked(settings.large_font)
        self.mask_action.setChecked(settings.mask_secrets)
        self.time_actions[settings.time_format].setChecked(True)
        self.theme_actions[settings.theme].setChecked(True)

    # behaviour ---------------------------------------------------------------------------------

    def show_tab(self, tab_id: str) -> None:
        host = self._hosts.get(tab_id)
        if host is not None:
            self.page(tab_id)
            self.tabs.setCurrentWidget(host)

    def current_tab_id(self) -> str | None:
        host = self.tabs.currentWidget()
        return next((t for t, h in self._hosts.items() if h is host), None)

    def current_page(self) -> TabPage | None:
        tab_id = self.current_tab_id()
        return self.page(tab_id) if tab_id is not None else None

    def _on_tab_changed(self, _index: int) -> None:
        page = self.current_page()
        if page is not None:
            page.tab_shown()

    def _on_presenter(self, checked: bool) -> None:
        """Presenter mode = larger font + masking; each stays toggleable alone."""
        self.large_font_action.setChecked(checked)
        self.mask_action.setChecked(checked)

    def _sync_presenter(self) -> None:
        both = self.large_font_action.isChecked() and self.mask_action.isChecked()
        self.presenter_action.blockSignals(True)
        self.presenter_action.setChecked(both)
        self.presenter_action.blockSignals(False)

    def _on_large(self, checked: bool) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_font_scale(app, checked)
        if checked != self.ctx.settings.large_font:
            self.ctx.update_settings(large_font=checked)
        self._sync_presenter()

    def _on_mask(self, checked: bool) -> None:
        if checked != self.ctx.settings.mask_secrets:
            self.ctx.update_settings(mask_secrets=checked)
        self._sync_presenter()

    def set_theme(self, mode: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_theme(app, mode)
        self.theme_actions[mode].setChecked(True)
        if mode != self.ctx.settings.theme:
            self.ctx.update_settings(theme=mode)

    def _on_color_scheme_changed(self, *_: object) -> None:
        if self.ctx.settings.theme == "system":
            self.set_theme("system")

    def show_shortcuts(self) -> None:
        from tokenlab.gui.widgets.help_dialogs import shortcuts_dialog

        actions = [a for menu in self.menuBar().findChildren(QMenu) for a in menu.actions()]
        self._open_dialog(shortcuts_dialog(self, list(dict.fromkeys(actions))))

    def show_about(self) -> None:
        from tokenlab.gui.widgets.help_dialogs import about_dialog

        self._open_dialog(about_dialog(self))

    def _open_dialog(self, dialog: QDialog) -> None:
        from PySide6.QtCore import Qt  # not at import: the Qt namespace's enums cost ~30 ms

        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.help_dialog = dialog  # non-modal (no exec); tests look at it
        dialog.show()

    def _copy(self) -> None:
        page = self.current_page()
        text = page.copy_text() if page is not None else None
        if text:
            QGuiApplication.clipboard().setText(text)
            self.statusBar().showMessage("Copied.", 3000)

    def _paste(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        """Send pasted or dropped text to the tab that takes it (Inspect)."""
        if not text.strip():
            return False
        page = self.page("inspect")
        if page is None or not page.accept_paste(text):
            return False
        self.show_tab("inspect")
        return True

    def open_key_profiles(self) -> None:
        if self._profiles_dialog is None:
            from tokenlab.gui.widgets.key_profiles import KeyProfilesDialog

            self._profiles_dialog = KeyProfilesDialog(self.ctx, self)
        # non-modal (no exec, no window modality): keys can be managed while working
        self._profiles_dialog.show()
        self._profiles_dialog.raise_()

    def open_compatibility(self) -> None:
        """Help > Sandbox compatibility: what the sandbox implements and how it differs."""
        if self._compatibility is None:
            from tokenlab.gui.widgets.doc_viewer import DocViewer

            self._compatibility = DocViewer("compatibility.md", "Sandbox compatibility", self)
        self._compatibility.show()
        self._compatibility.raise_()

    # Qt overrides ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.first_shown.emit()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _droppable(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        try:
            text = read_dropped_text(event.mimeData())
        except UserError as exc:
            self.statusBar().showMessage(exc.message, 8000)
            return
        if text is not None and self.paste_text(text):
            event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:
        geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        last = self.current_tab_id() or self.ctx.settings.last_tab
        self.ctx.update_settings(window_geometry=geometry, last_tab=last)
        for tab in self.pages.values():
            tab.shutdown()
        event.accept()
        self.close_was_requested = True
        self.close_requested.emit()


async def aclose_pages(pages: Iterable[TabPage], timeout_s: float = 5.0) -> None:
    """Await every page's ``aclose`` (bounded in time) while the loop and the sandbox still run."""
    import asyncio

    for page in list(pages):
        try:
            await asyncio.wait_for(page.aclose(), timeout_s)
        except TimeoutError:
            log.warning(
                "closing the %s tab took longer than %.0f s", type(page).__name__, timeout_s
            )


def _droppable(mime: QMimeData) -> bool:
    return mime.hasUrls() or mime.hasText()
