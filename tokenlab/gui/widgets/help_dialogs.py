"""The Help menu's dialogs: keyboard shortcuts (read from the window's actions, so the list is
never stale) and About (version, Python, Qt, and the licences of the bundled parts read from
their installed metadata). Both are non-modal."""

from __future__ import annotations

import html
import platform
from collections.abc import Sequence
from importlib import metadata

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import tokenlab

# what ships inside the frozen app, with the licence to show if the metadata has none
BUNDLED = (
    ("PySide6-Essentials", "LGPL-3.0-only"),
    ("shiboken6", "LGPL-3.0-only"),
    ("qasync", "BSD-2-Clause"),
    ("aiohttp", "Apache-2.0"),
    ("httpx", "BSD-3-Clause"),
    ("websockets", "BSD-3-Clause"),
    ("PyJWT", "MIT"),
    ("cryptography", "Apache-2.0 OR BSD-3-Clause"),
    ("msgpack", "Apache-2.0"),
    ("platformdirs", "MIT"),
    ("keyring", "MIT"),
    ("segno", "BSD-3-Clause"),
)
# shortcuts handled outside QActions (QShortcut objects, widgets)
EXTRA_SHORTCUTS = (
    ("Ctrl+1 … Ctrl+9", "Show tab 1 … 9"),
    ("Ctrl+V (no text field focused)", "Paste a token into Inspect"),
    ("Drop a file", "Open it in Inspect"),
)


def licence(dist: str, fallback: str) -> tuple[str, str]:
    """(version, licence) of an installed distribution (``not installed`` when absent)."""
    try:
        meta = metadata.metadata(dist)
    except metadata.PackageNotFoundError:
        return "not installed", fallback
    field = meta.get_all("License-Expression") or meta.get_all("License") or [""]
    text = str(field[0])
    if not text or len(text) > 60:  # some put the whole licence text here
        classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []
                       if c.startswith("License ::")]  # fmt: skip
        text = ", ".join(classifiers) or fallback
    return str((meta.get_all("Version") or ["?"])[0]), text


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    rows = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((keys, action.text().replace("&", "").rstrip("…")))
    return rows + list(EXTRA_SHORTCUTS)


def _table(rows: Sequence[tuple[str, ...]], headers: list[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return table


def _dialog(parent: QWidget, title: str, *widgets: QWidget) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QVBoxLayout(dialog)
    for widget in widgets:
        widget.setParent(dialog)
        layout.addWidget(widget)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.close)
    layout.addWidget(buttons)
    char = dialog.fontMetrics().horizontalAdvance("M")
    dialog.resize(char * 48, char * 30)
    return dialog


def shortcuts_dialog(parent: QWidget, actions: list[QAction]) -> QDialog:
    table = _table(shortcut_rows(actions), ["Keys", "Does"], parent)
    table.setAccessibleName("Keyboard shortcuts")
    return _dialog(parent, "Keyboard shortcuts", table)


def about_dialog(parent: QWidget) -> QDialog:
    e = html.escape
    text = QLabel(
        f"<h2>tokenlab {e(tokenlab.__version__)}</h2>"
        "<p>A desktop token inspector and playground for Ably token authentication.</p>"
        f"<p>Python {e(platform.python_version())} · Qt {e(qVersion())} · "
        f"PySide6 {e(PySide6.__version__)}</p><p>Bundled parts and their licences:</p>",
        parent,
    )
    text.setWordWrap(True)
    rows = [(dist, *licence(dist, fallback)) for dist, fallback in BUNDLED]
    table = _table(rows, ["Part", "Version", "Licence"], parent)
    table.setAccessibleName("Bundled parts and licences")
    return _dialog(parent, "About tokenlab", text, table)
