"""Differences between two tokens: "diff against another token" and renewal diffs.

Both inputs go through the inspector, so any pair of pasteable things can be compared; the diff
lists header fields and claims (or TokenRequest / TokenDetails fields) that were added, removed
or changed, with the time shift spelled out for time fields ("+1 h").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tokenlab.core.capability import Capability
from tokenlab.core.claims import Field, display_value
from tokenlab.core.errors import CapabilityError
from tokenlab.core.inspector import inspect
from tokenlab.core.keys import ApiKey
from tokenlab.core.report import InspectionReport
from tokenlab.core.timefmt import duration

Change = Literal["added", "removed", "changed"]
_SECONDS_FIELDS = frozenset({"iat", "exp", "nbf"})
_MS_FIELDS = frozenset({"issued", "expires", "timestamp", "ttl"})


@dataclass(frozen=True)
class FieldChange:
    section: str  # "kind", "header", "claims", or "inner.header" / "inner.claims"
    name: str
    change: Change
    before: Any = None
    after: Any = None
    note: str | None = None  # e.g. "+1 h" for a time that moved

    def describe(self) -> str:
        where = f"{self.section}.{self.name}" if self.section != "kind" else "kind"
        if self.change == "added":
            return f"+ {where} = {display_value(self.after, 80)}"
        if self.change == "removed":
            return f"- {where} (was {display_value(self.before, 80)})"
        tail = f" ({self.note})" if self.note else ""
        before, after = display_value(self.before, 60), display_value(self.after, 60)
        return f"~ {where}: {before} -> {after}{tail}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "name": self.name,
            "change": self.change,
            "before": self.before,
            "after": self.after,
            "note": self.note,
        }


@dataclass(frozen=True)
class TokenDiff:
    before: InspectionReport
    after: InspectionReport
    changes: tuple[FieldChange, ...]

    @property
    def identical(self) -> bool:
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {"identical": self.identical, "changes": [c.to_dict() for c in self.changes]}


def _shift(name: str, before: Any, after: Any) -> str | None:
    numeric = (int, float)
    if isinstance(before, bool) or isinstance(after, bool):
        return None
    if not (isinstance(before, numeric) and isinstance(after, numeric)):
        return None
    if not (math.isfinite(before) and math.isfinite(after)):
        return None
    if name in _SECONDS_FIELDS:
        delta = int((after - before) * 1000)
    elif name in _MS_FIELDS:
        delta = int(after - before)
    else:
        return None
    return ("+" if delta >= 0 else "-") + duration(delta)


def _capability_note(before: Any, after: Any) -> str | None:
    try:
        old, new = Capability.parse(before), Capability.parse(after)
    except (CapabilityError, RecursionError):
        return None
    if old == new:
        return "same capability, different bytes"
    return None


def _diff_fields(section: str, old: Sequence[Field], new: Sequence[Field]) -> list[FieldChange]:
    a = {f.name: f.value for f in old}
    b = {f.name: f.value for f in new}
    changes: list[FieldChange] = []
    for name in [*a, *(n for n in b if n not in a)]:
        if name not in b:
            changes.append(FieldChange(section, name, "removed", before=a[name]))
        elif name not in a:
            changes.append(FieldChange(section, name, "added", after=b[name]))
        elif a[name] != b[name]:
            note = _shift(name, a[name], b[name])
            if note is None and "capability" in name.lower():
                note = _capability_note(a[name], b[name])
            changes.append(FieldChange(section, name, "changed", a[name], b[name], note))
    return changes


def diff_reports(before: InspectionReport, after: InspectionReport) -> tuple[FieldChange, ...]:
    changes: list[FieldChange] = []
    if before.kind is not after.kind:
        changes.append(FieldChange("kind", "kind", "changed", before.kind.value, after.kind.value))
    changes += _diff_fields("header", before.header, after.header)
    changes += _diff_fields("claims", before.claims, after.claims)
    if before.inner is not None and after.inner is not None:
        changes += _diff_fields("inner.header", before.inner.header, after.inner.header)
        changes += _diff_fields("inner.claims", before.inner.claims, after.inner.claims)
    if before.kind is after.kind and not before.claims and before.token != after.token:
        changes.append(FieldChange("token", "token", "changed", before.token, after.token))
    return tuple(changes)


def diff_tokens(
    before: str,
    after: str,
    *,
    now_ms: int,
    known_keys: Sequence[ApiKey] = (),
    key_capabilities: Mapping[str, Capability | str] | None = None,
) -> TokenDiff:
    """Inspect both inputs and list what changed from ``before`` to ``after``."""
    a = inspect(before, now_ms=now_ms, known_keys=known_keys, key_capabilities=key_capabilities)
    b = inspect(after, now_ms=now_ms, known_keys=known_keys, key_capabilities=key_capabilities)
    return TokenDiff(a, b, diff_reports(a, b))
