"""Findings: what the inspector and the TokenRequest diagnosis say about a token.

A finding has a severity (error: Ably would reject it or it is dangerous; warning: it works but
probably not as intended; info: worth knowing), a stable dotted ``code`` for tests and the GUI,
a plain message, a fix, and the Ably error code that applies, if any.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tokenlab.core.errors import HELP_URL, UserError, describe_ably_code


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    fix: str | None = None
    ably_code: int | None = None

    @property
    def ably_summary(self) -> str | None:
        """E.g. ``40142 Token expired (401)``."""
        return describe_ably_code(self.ably_code) if self.ably_code is not None else None

    @property
    def ably_text(self) -> str:
        """The Ably error code in words, or a plain statement that there is none ("" for an
        info without one: nothing to explain)."""
        if self.ably_code is None:
            return "" if self.severity is Severity.INFO else "No Ably error code (a tokenlab check)"
        return f"Ably {self.ably_summary}"

    @property
    def href(self) -> str | None:
        return HELP_URL.format(code=self.ably_code) if self.ably_code is not None else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }
        if self.fix:
            out["fix"] = self.fix
        out["ablyCode"] = self.ably_code
        out["ablySummary"] = self.ably_summary
        out["ablyText"] = self.ably_text
        return out


def error(code: str, message: str, fix: str | None = None, ably: int | None = None) -> Finding:
    return Finding(Severity.ERROR, code, message, fix, ably)


def warning(code: str, message: str, fix: str | None = None, ably: int | None = None) -> Finding:
    return Finding(Severity.WARNING, code, message, fix, ably)


def info(code: str, message: str, fix: str | None = None, ably: int | None = None) -> Finding:
    return Finding(Severity.INFO, code, message, fix, ably)


def from_user_error(exc: UserError, severity: Severity = Severity.ERROR) -> Finding:
    """A finding carrying a ``UserError``'s code, message, fix and Ably code."""
    return Finding(severity, exc.code, exc.message, exc.fix, exc.ably_code)


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Errors first, then warnings, then infos; stable within a severity; no duplicates."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in findings:
        key = (finding.code, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return tuple(sorted(unique, key=lambda f: f.severity.rank))


def worst(findings: Iterable[Finding]) -> Severity | None:
    ranked = sorted((f.severity for f in findings), key=lambda s: s.rank)
    return ranked[0] if ranked else None
