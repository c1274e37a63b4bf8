"""Small helpers for the interop tests: minting tokens, demo auth-server URLs, server events."""

from __future__ import annotations

from tokenlab.sandbox import Sandbox, SandboxEvent


def mint_token(sb: Sandbox, *, client_id: str | None = None, key: str = "full") -> str:
    """An Ably token issued by the sandbox's admin API (as an app server would hand one out)."""
    return sb.issue_token(sb.demo_keys[key].name, client_id=client_id).token


def auth_url(sb: Sandbox, *, client_id: str) -> tuple[str, dict[str, str]]:
    """The sandbox's demo auth server (returns a signed TokenRequest) and its query params."""
    return f"{sb.rest_url}/auth/token-request", {"clientId": client_id}


def record_sandbox_events(sb: Sandbox) -> list[SandboxEvent]:
    """Every SandboxEvent from now on (the sandbox lives for one test, so no unsubscribe)."""
    seen: list[SandboxEvent] = []
    sb.subscribe(seen.append)
    return seen
