"""Where a lesson runs: a sandbox, a connection manager on it, and an HTTP client.

``LessonEnv`` is what the runner needs; the CLI and tests get one from ``embedded_env()``
(an in-process sandbox tuned for lessons: a short allowReauthMargin so nothing waits 30 s),
the GUI builds one over the app's own sandbox and a manager of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenDetails
from tokenlab.realtime import ConnectionManager, Endpoint
from tokenlab.sandbox.config import SandboxEvent, Settings

LESSON_REVOCATION_MARGIN_MS = 2_000


class LessonSandbox(Protocol):
    """The admin surface of ``tokenlab.sandbox.Sandbox`` that lessons use."""

    @property
    def rest_url(self) -> str: ...
    @property
    def ws_url(self) -> str: ...
    @property
    def demo_keys(self) -> Mapping[str, ApiKey]: ...
    @property
    def settings(self) -> Settings: ...
    def now_ms(self) -> int: ...
    def subscribe(self, callback: Callable[[SandboxEvent], None]) -> Callable[[], None]: ...
    def issue_token(
        self,
        key_name: str,
        *,
        client_id: str | None = None,
        capability: str | None = None,
        ttl_ms: int | None = None,
    ) -> TokenDetails: ...
    def mint_jwt(
        self,
        key_name: str,
        *,
        client_id: str | None = None,
        capability: str | None = None,
        ttl_ms: int = 3_600_000,
        revocation_key: str | None = None,
    ) -> str: ...
    def revoke_client_id(self, key_name: str, client_id: str, **kw: Any) -> Sequence[Any]: ...
    def update_settings(
        self, *, reauth_lead_ms: int | None = None, clock_skew_ms: int | None = None
    ) -> Settings: ...


@dataclass
class LessonEnv:
    sandbox: LessonSandbox
    manager: ConnectionManager
    http: httpx.AsyncClient

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint.sandbox(self.sandbox.ws_url, self.sandbox.rest_url)

    def key(self, label: str) -> ApiKey:
        from tokenlab.core.errors import UserError

        try:
            return self.sandbox.demo_keys[label]
        except KeyError:
            known = ", ".join(self.sandbox.demo_keys)
            raise UserError(
                f"The sandbox has no demo key {label!r}.", code="lesson.key", fix=f"Use {known}."
            ) from None


@contextlib.asynccontextmanager
async def embedded_env() -> AsyncIterator[LessonEnv]:
    """A fresh in-memory sandbox on 127.0.0.1 with a manager and an HTTP client."""
    from tokenlab.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(revocation_margin_ms=LESSON_REVOCATION_MARGIN_MS, tick_ms=50)
    async with (
        Sandbox(config) as sandbox,
        ConnectionManager() as manager,
        httpx.AsyncClient(timeout=10.0) as http,
    ):
        yield LessonEnv(sandbox, manager, http)
