"""The tabs of the main window, in a fixed order (see ``tabs.base`` for the contract).

``TAB_ENTRIES`` names each tab and its module without importing it: the main window builds a
tab's page the first time it is shown (or shortly after start-up), so the window appears fast.
A listed module that does not exist yet is skipped: the window never shows a placeholder.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field

from tokenlab.gui.tabs.base import TabPage, TabSpec


@dataclass(frozen=True)
class TabEntry:
    tab_id: str
    title: str
    module: str
    tooltip: str = ""
    spec: TabSpec | None = field(default=None, compare=False)  # set when already imported

    def load(self) -> TabSpec:
        """Import the module (once) and return its ``TAB``."""
        if self.spec is not None:
            return self.spec
        spec = getattr(importlib.import_module(self.module), "TAB", None)
        if not isinstance(spec, TabSpec):
            raise TypeError(f"{self.module} must define TAB = TabSpec(...)")
        return spec

    @classmethod
    def from_spec(cls, spec: TabSpec) -> TabEntry:
        return cls(spec.tab_id, spec.title, "", spec.tooltip, spec)


TAB_ENTRIES: tuple[TabEntry, ...] = (
    TabEntry("inspect", "Inspect", "tokenlab.gui.tabs.inspect_tab", "Decode and check any token"),
    TabEntry(
        "token_request",
        "TokenRequest",
        "tokenlab.gui.tabs.token_request_tab",
        "Build, sign, exchange and diagnose TokenRequests",
    ),
    TabEntry("jwt", "JWT", "tokenlab.gui.tabs.jwt_tab", "Mint, edit, decode and verify JWTs"),
    TabEntry("live", "Live", "tokenlab.gui.live.tab", "Live connections and renewals"),
    TabEntry("sandbox", "Sandbox", "tokenlab.gui.tabs.sandbox_tab", "The embedded sandbox"),
    TabEntry("lessons", "Lessons", "tokenlab.gui.lessons.tab", "Guided, runnable auth lessons"),
)
TAB_MODULES: tuple[str, ...] = tuple(e.module for e in TAB_ENTRIES)

__all__ = [
    "TAB_ENTRIES",
    "TAB_MODULES",
    "TabEntry",
    "TabPage",
    "TabSpec",
    "available_tabs",
    "discover_tabs",
]


def available_tabs(entries: tuple[TabEntry, ...] = TAB_ENTRIES) -> list[TabEntry]:
    """The entries whose module exists (found without importing it), in order."""
    return [e for e in entries if e.spec is not None or importlib.util.find_spec(e.module)]


def discover_tabs(modules: tuple[str, ...] = TAB_MODULES) -> list[TabSpec]:
    """Import every listed module that exists and return its ``TAB``, in order."""
    return [
        TabEntry(name, name, name).load()
        for name in modules
        if importlib.util.find_spec(name) is not None
    ]
