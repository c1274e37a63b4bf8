"""One verdict per inspection: the sentence the GUI header, the CLI and ``--json`` all show.

Four outcomes, fixed: **rejected** (Ably would refuse it, with the Ably code that says why),
**accepted, but** (Ably takes it, yet it is risky or not what was meant: a misspelt or unknown
``x-ably-*`` claim, a wildcard clientId, an API key where a token belongs), **fine**, and
**not a token**. The verdict is derived from the findings' severities (an ERROR finding means
Ably refuses, a WARNING that it accepts with a catch), so the header can never contradict them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tokenlab.core.errors import describe_ably_code
from tokenlab.core.findings import Finding, Severity

if TYPE_CHECKING:
    from tokenlab.core.report import InspectionReport


class Outcome(StrEnum):
    REJECTED = "rejected"
    ACCEPTED_BUT = "accepted_but"
    FINE = "fine"
    NOT_A_TOKEN = "not_a_token"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def severity(self) -> str:
        """The colour family the front ends use: error / warning / ok / info."""
        return _SEVERITY[self]


_LABELS = {
    Outcome.REJECTED: "Rejected",
    Outcome.ACCEPTED_BUT: "Accepted, but",
    Outcome.FINE: "Fine",
    Outcome.NOT_A_TOKEN: "Not a token",
}
_SEVERITY = {
    Outcome.REJECTED: "error",
    Outcome.ACCEPTED_BUT: "warning",
    Outcome.FINE: "ok",
    Outcome.NOT_A_TOKEN: "info",
}


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    sentence: str  # e.g. "Rejected: Ably would refuse it with 40142 Token expired (401)."
    ably_code: int | None = None

    @property
    def severity(self) -> str:
        return self.outcome.severity

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "label": self.outcome.label,
            "sentence": self.sentence,
            "ablyCode": self.ably_code,
        }


def _first(findings: list[Finding], severity: Severity) -> Finding | None:
    return next((f for f in findings if f.severity is severity), None)


def verdict_of_findings(findings: list[Finding], *, what: str = "it") -> Verdict:
    """The verdict for a list of findings about something that is a token (or request)."""
    error = _first(findings, Severity.ERROR)
    if error is not None:
        errors = [f for f in findings if f.severity is Severity.ERROR]
        code = next((f.ably_code for f in errors if f.ably_code), None)
        said = f" with {describe_ably_code(code)}" if code else ""
        return Verdict(Outcome.REJECTED, f"Rejected: Ably would refuse {what}{said}.", code)
    warning = _first(findings, Severity.WARNING)
    if warning is not None:
        return Verdict(
            Outcome.ACCEPTED_BUT, f"Accepted, but: {_short(warning.message)}", warning.ably_code
        )
    return Verdict(Outcome.FINE, "Fine: nothing Ably would object to.")


def _short(message: str) -> str:
    first = message.split(". ")[0].rstrip(".")
    return first + "."


def verdict_of(report: InspectionReport) -> Verdict:
    """The one verdict for an inspection report (its own findings and the inner token's)."""
    from tokenlab.core.report import TokenKind

    if report.kind is TokenKind.EMPTY:
        return Verdict(Outcome.NOT_A_TOKEN, "Nothing to inspect: paste a token.")
    if report.kind is TokenKind.NOT_A_TOKEN:
        what = report.summary.removeprefix("Not a token: ")
        code = next((f.ably_code for f in report.findings if f.ably_code), None)
        said = f" Used as a token, Ably would answer {code}." if code else ""
        return Verdict(Outcome.NOT_A_TOKEN, f"Not a token: {what}.{said}", code)
    found = list(report.findings)
    if report.inner is not None:
        found += list(report.inner.findings)
    return verdict_of_findings(found)
