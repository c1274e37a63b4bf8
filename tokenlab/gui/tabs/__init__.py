"""The registry of the main window's tabs, in order (see ``tabs.base`` for the tab contract).

Each ``TabEntry`` names a tab and says how to load it: ``load`` is a small function whose
``import`` statement brings in the tab's module (and its heavy dependencies) only when called.
The main window shows every registered tab's title at once and builds a page the first time its
tab is shown, so the window paints before any tab module is imported. Nothing is discovered at run
time: a plain ``import`` inside ``load`` is what lets a frozen app (PyInstaller follows imports in
function bodies) and mypy see every tab; a missing module is an error, not a silently absent tab.

To add a tab, write its module with ``TAB = TabSpec(...)``, then add a loader and one entry:

    def _lessons() -> TabSpec:
        from tokenlab.gui.lessons.tab import TAB

        return TAB

    TabEntry("lessons", "Lessons", _lessons, "Guided lessons"),
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the window paints before any tab (or the tab base class) is loaded
    from tokenlab.gui.tabs.base import TabSpec


@dataclass(frozen=True)
class TabEntry:
    """A tab: its id and title (shown before its page is built), how to load its ``TabSpec``,
    its tooltip, and whether to build the page in the idle time after start-up even if it is
    never shown (for a tab that must see what happens from the start, e.g. the sandbox journal).
    """

    tab_id: str
    title: str
    load: Callable[[], TabSpec]
    tooltip: str = ""
    build_after_start: bool = False

    @classmethod
    def from_spec(cls, spec: TabSpec) -> TabEntry:
        """An entry for an already imported tab (tests build windows from a few specs)."""
        return cls(spec.tab_id, spec.title, lambda: spec, spec.tooltip)


def _inspect() -> TabSpec:
    from tokenlab.gui.tabs.inspect_tab import TAB

    return TAB


def _token_request() -> TabSpec:
    from tokenlab.gui.tabs.token_request_tab import TAB

    return TAB


def _jwt() -> TabSpec:
    from tokenlab.gui.tabs.jwt_tab import TAB

    return TAB


def _live() -> TabSpec:
    from tokenlab.gui.live.tab import TAB

    return TAB


def _sandbox() -> TabSpec:
    from tokenlab.gui.tabs.sandbox_tab import TAB

    return TAB


def _lessons() -> TabSpec:
    from tokenlab.gui.lessons.tab import TAB

    return TAB


TAB_ENTRIES: tuple[TabEntry, ...] = (
    TabEntry("inspect", "Inspect", _inspect, "Decode and check any token"),
    TabEntry(
        "token_request",
        "TokenRequest",
        _token_request,
        "Build, sign, exchange and diagnose TokenRequests",
    ),
    TabEntry("jwt", "JWT", _jwt, "Mint, edit, decode and verify JWTs"),
    TabEntry("live", "Live", _live, "Live connections and renewals"),
    TabEntry("sandbox", "Sandbox", _sandbox, "The embedded sandbox", build_after_start=True),
    TabEntry("lessons", "Lessons", _lessons, "Guided, runnable auth lessons"),
)

__all__ = ["TAB_ENTRIES", "TabEntry"]
