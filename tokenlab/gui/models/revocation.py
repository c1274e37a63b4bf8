"""Token revocation over Ably's REST API (RSA17), for the Live and Sandbox tabs.

``revoke_tokens`` POSTs ``/keys/{keyName}/revokeTokens`` with Basic auth of the issuing key and
returns one ``RevokeOutcome`` per target; any failure is an ``AblyError`` with the server's code
(40163 key not revocable, 40133 wrong key...). It works against the sandbox and real Ably alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.keys import ApiKey

MAX_TARGETS = 100


@dataclass(frozen=True)
class RevokeOutcome:
    target: str
    applies_at: int | None = None
    error: str | None = None  # "40000 message" when this target failed

    def describe(self) -> str:
        if self.error:
            return f"{self.target}: failed ({self.error})"
        return f"{self.target}: revoked" + (
            f", applies at {self.applies_at}" if self.applies_at is not None else ""
        )


def _error(body: Any, status: int) -> AblyError:
    info = body.get("error") if isinstance(body, dict) else None
    if isinstance(info, dict):
        return AblyError.from_error_info(info)
    return AblyError(50000 if status >= 500 else 40000, f"revokeTokens answered HTTP {status}")


def _outcomes(body: Any) -> list[RevokeOutcome]:
    results = body.get("results") if isinstance(body, dict) else body
    out: list[RevokeOutcome] = []
    for item in results if isinstance(results, list) else []:
        if not isinstance(item, dict):
            continue
        err = item.get("error")
        text = f"{err.get('code')} {err.get('message')}" if isinstance(err, dict) else None
        applies = item.get("appliesAt")
        out.append(
            RevokeOutcome(
                str(item.get("target")), applies if isinstance(applies, int) else None, text
            )
        )
    return out


def check_targets(targets: Sequence[str]) -> None:
    if not targets:
        raise AblyError(40001, "Give at least one target, e.g. clientId:alice")
    if len(targets) > MAX_TARGETS:
        raise AblyError(40003, f"At most {MAX_TARGETS} targets per request")
    for target in targets:
        kind, sep, value = target.partition(":")
        if not sep or not value or kind not in ("clientId", "revocationKey", "channel"):
            raise AblyError(
                40000,
                f"{target!r} is not a revocation target",
                fix="Use clientId:<id>, revocationKey:<key> or channel:<name>.",
            )


async def revoke_tokens(
    http: httpx.AsyncClient,
    rest_url: str,
    key: ApiKey,
    targets: Sequence[str],
    *,
    allow_reauth_margin: bool = False,
) -> list[RevokeOutcome]:
    check_targets(targets)
    body: dict[str, Any] = {"targets": list(targets)}
    if allow_reauth_margin:
        body["allowReauthMargin"] = True
    url = f"{rest_url.rstrip('/')}/keys/{key.name}/revokeTokens"
    headers = {"Authorization": key.basic_auth_header(), "X-Ably-Version": "3"}
    try:
        response = await http.post(url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise UserError(
            f"Could not reach {rest_url}: {exc}", code="http.unreachable", fix="Is it running?"
        ) from exc
    try:
        parsed: Any = response.json()
    except ValueError:
        parsed = None
    if response.status_code >= 400:
        raise _error(parsed, response.status_code)
    return _outcomes(parsed)
