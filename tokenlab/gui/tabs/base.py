"""The tab contract: ``TabPage`` (the widget) and ``TabSpec`` (how the main window finds it).

A tab module (``tokenlab/gui/tabs/<name>_tab.py``, or a feature package such as
``tokenlab/gui/live/``) exposes ``TAB = TabSpec(...)`` and is registered in
``tokenlab.gui.tabs.TAB_ENTRIES``; the main window calls ``TAB.create(ctx)`` when the tab is
first shown. Tabs talk to each other only through the ``AppContext``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from tokenlab.gui.context import AppContext


class TabPage(QWidget):
    """Base class of every tab. Subclasses set ``tab_id`` and ``title``."""

    tab_id = ""
    title = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"{self.tab_id}_tab")
        self.setAccessibleName(f"{self.title} tab")

    def accept_paste(self, text: str) -> bool:
        """Text pasted while the window (not a text field) had focus; True if taken."""
        return False

    def copy_text(self) -> str | None:
        """What Edit > Copy copies when no text field has focus (e.g. the current token)."""
        return None

    def screenshot_states(self) -> Sequence[tuple[str, Callable[[], None]]]:
        """Named states to grab for ``--screenshot`` (and to look at): (suffix, prepare)."""
        return [("", lambda: None)]

    def tab_shown(self) -> None:
        """Called each time the tab becomes the current one."""

    def shutdown(self) -> None:
        """Called once before the window closes: stop timers, drop subscriptions."""

    async def aclose(self) -> None:
        """Awaited by the app after ``shutdown`` and before the runner and the sandbox close:
        end network work gracefully (e.g. a CLOSE handshake). Must be safe to call twice."""


@dataclass(frozen=True)
class TabSpec:
    tab_id: str
    title: str
    create: Callable[[AppContext], TabPage]
    tooltip: str = ""
