"""The inspector's report: frozen, typed, JSON-serialisable, and the builder that assembles it.

Segments index into the ORIGINAL text given to ``inspect`` (for colouring the header, claims
and signature in the editor). A nested report (the token inside TokenDetails or an embedded
JWT) has segments indexing into its own ``token``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tokenlab.core.capability import Capability
from tokenlab.core.claims import Field
from tokenlab.core.clientid import Identity
from tokenlab.core.findings import Finding, Severity, sort_findings, worst
from tokenlab.core.timefmt import TimeInfo

if TYPE_CHECKING:
    from tokenlab.core.verdict import Verdict


class TokenKind(StrEnum):
    EMPTY = "empty"
    ABLY_JWT = "ably_jwt"
    EMBEDDED_JWT = "embedded_jwt"
    JWT = "jwt"
    JWE = "jwe"
    ABLY_TOKEN = "ably_token"
    TOKEN_REQUEST = "token_request"
    TOKEN_DETAILS = "token_details"
    CAPABILITY = "capability"
    API_KEY = "api_key"
    NOT_A_TOKEN = "not_a_token"

    @property
    def display_name(self) -> str:
        return _TITLES[self]


_TITLES = {
    TokenKind.EMPTY: "Nothing to inspect",
    TokenKind.ABLY_JWT: "Ably JWT",
    TokenKind.EMBEDDED_JWT: "JWT with an embedded Ably token",
    TokenKind.JWT: "JWT (not an Ably JWT)",
    TokenKind.JWE: "Encrypted JWT (JWE)",
    TokenKind.ABLY_TOKEN: "Ably token (opaque)",
    TokenKind.TOKEN_REQUEST: "TokenRequest",
    TokenKind.TOKEN_DETAILS: "TokenDetails",
    TokenKind.CAPABILITY: "Capability",
    TokenKind.API_KEY: "API key (secret!)",
    TokenKind.NOT_A_TOKEN: "Not a token",
}


class Part(StrEnum):
    """What a coloured range of the input is."""

    HEADER = "header"
    CLAIMS = "claims"
    SIGNATURE = "signature"
    TOKEN = "token"  # an opaque token, or a whole JSON document
    KEY_NAME = "key_name"
    SECRET = "secret"
    WRAPPER = "wrapper"  # Authorization:, Bearer, quotes, URL around the token


@dataclass(frozen=True)
class Segment:
    part: Part
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part.value, "start": self.start, "end": self.end}


class SignatureStatus(StrEnum):
    NOT_CHECKED = "not_checked"  # no key given
    VALID = "valid"
    INVALID = "invalid"
    NO_MATCHING_KEY = "no_matching_key"  # keys given, none named like kid / keyName
    NOT_APPLICABLE = "not_applicable"  # nothing to verify (API key, opaque token, ...)


@dataclass(frozen=True)
class SignatureCheck:
    status: SignatureStatus = SignatureStatus.NOT_APPLICABLE
    key_name: str | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "keyName": self.key_name, "message": self.message}


@dataclass(frozen=True)
class CapabilityView:
    raw: str | None  # the capability string as carried by the token (None: not given)
    parsed: Capability | None  # None when absent or invalid
    source: str  # where it comes from, in words
    effective: Capability | None = None  # parsed ∩ the key's capability, when the key is known
    explanation: tuple[str, ...] = ()

    @property
    def best(self) -> Capability | None:
        return self.effective or self.parsed

    def to_dict(self) -> dict[str, Any]:
        return {
            "raw": self.raw,
            "parsed": self.parsed.to_dict() if self.parsed else None,
            "source": self.source,
            "effective": self.effective.to_dict() if self.effective else None,
            "explanation": list(self.explanation),
        }


def _identity_dict(identity: Identity) -> dict[str, Any]:
    return {
        "clientId": identity.client_id,
        "kind": identity.kind,
        "mayPublishAsAny": identity.may_publish_as_any,
        "mayEnterPresence": identity.may_enter_presence,
        "explanation": identity.explanation,
    }


@dataclass(frozen=True)
class InspectionReport:
    kind: TokenKind
    summary: str
    input_length: int
    token: str | None = None  # the token found in the input (masked for API keys)
    token_range: tuple[int, int] | None = None  # where it sits in the input, if verbatim
    segments: tuple[Segment, ...] = ()
    header: tuple[Field, ...] = ()
    claims: tuple[Field, ...] = ()  # JWT claims, or the fields of a JSON object
    times: tuple[TimeInfo, ...] = ()
    lifetime_ms: int | None = None
    identity: Identity | None = None
    capability: CapabilityView | None = None
    signature: SignatureCheck = SignatureCheck()
    sign_text: str | None = None  # TokenRequest only
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()  # how the input was unwrapped
    inner: InspectionReport | None = None  # the token inside TokenDetails / an embedded JWT
    json_text: str | None = None  # pretty JSON of the decoded content

    @property
    def worst(self) -> Severity | None:
        return worst(self.findings)

    @property
    def has_errors(self) -> bool:
        inner_errors = self.inner is not None and self.inner.has_errors
        return self.worst is Severity.ERROR or inner_errors

    @property
    def verdict(self) -> Verdict:
        """The one verdict every front end shows (rejected / accepted, but / fine / not a token)."""
        from tokenlab.core.verdict import verdict_of

        return verdict_of(self)

    def codes(self) -> set[str]:
        """Every finding code, including those of the inner report."""
        own = {f.code for f in self.findings}
        return own | (self.inner.codes() if self.inner else set())

    def finding(self, code: str) -> Finding | None:
        return next((f for f in self.findings if f.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "title": self.kind.display_name,
            "summary": self.summary,
            "verdict": self.verdict.to_dict(),
            "inputLength": self.input_length,
            "token": self.token,
            "tokenRange": list(self.token_range) if self.token_range else None,
            "segments": [s.to_dict() for s in self.segments],
            "header": [f.to_dict() for f in self.header],
            "claims": [f.to_dict() for f in self.claims],
            "times": [t.to_dict() for t in self.times],
            "lifetimeMs": self.lifetime_ms,
            "identity": _identity_dict(self.identity) if self.identity else None,
            "capability": self.capability.to_dict() if self.capability else None,
            "signature": self.signature.to_dict(),
            "signText": self.sign_text,
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
            "inner": self.inner.to_dict() if self.inner else None,
        }


@dataclass
class ReportBuilder:
    """Mutable accumulator used while analysing; ``build()`` freezes it."""

    kind: TokenKind
    input_length: int
    summary: str = ""
    token: str | None = None
    token_range: tuple[int, int] | None = None
    segments: list[Segment] = field(default_factory=list)
    header: list[Field] = field(default_factory=list)
    claims: list[Field] = field(default_factory=list)
    times: list[TimeInfo] = field(default_factory=list)
    lifetime_ms: int | None = None
    identity: Identity | None = None
    capability: CapabilityView | None = None
    signature: SignatureCheck = SignatureCheck()
    sign_text: str | None = None
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    inner: InspectionReport | None = None
    json_text: str | None = None

    def add(self, *findings: Finding) -> None:
        self.findings.extend(findings)

    def segment(self, part: Part, start: int, end: int, offset: int | None) -> None:
        """Record a range of the token; skipped when the token is not verbatim in the input."""
        if offset is not None and end > start:
            self.segments.append(Segment(part, offset + start, offset + end))

    def build(self) -> InspectionReport:
        return InspectionReport(
            kind=self.kind,
            summary=self.summary or self.kind.display_name,
            input_length=self.input_length,
            token=self.token,
            token_range=self.token_range,
            segments=tuple(sorted(self.segments, key=lambda s: s.start)),
            header=tuple(self.header),
            claims=tuple(self.claims),
            times=tuple(self.times),
            lifetime_ms=self.lifetime_ms,
            identity=self.identity,
            capability=self.capability,
            signature=self.signature,
            sign_text=self.sign_text,
            findings=sort_findings(self.findings),
            notes=tuple(self.notes),
            inner=self.inner,
            json_text=self.json_text,
        )
