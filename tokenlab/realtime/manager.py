"""Several named connections at once, sharing one merged event stream.

The ``ConnectionManager`` is what the Live tab and ``tokenlab watch`` hold: add a connection by
name (Alice, Bob, an anonymous client...), get or remove it, and read every connection's events
from one ``EventStream`` whose ``seq`` is gap-free across all of them (``conn_seq`` is gap-free
per connection). One httpx client is shared by all connections for auth requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from tokenlab.core.clock import NowMs, system_now_ms
from tokenlab.core.errors import UserError
from tokenlab.core.tls_trust import client_context
from tokenlab.realtime.connection import Connection
from tokenlab.realtime.options import ClientOptions
from tokenlab.realtime.stream import DEFAULT_CAPACITY, EventStream


class ConnectionManager:
    """Named connections and their merged events. Use inside a running event loop."""

    def __init__(
        self,
        *,
        stream: EventStream | None = None,
        capacity: int = DEFAULT_CAPACITY,
        now_ms: NowMs = system_now_ms,
    ) -> None:
        self.events = stream or EventStream(capacity=capacity, now_ms=now_ms)
        self._connections: dict[str, Connection] = {}
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=10.0, verify=client_context())
        return self._http

    def add(self, name: str, options: ClientOptions, *, connect: bool = True) -> Connection:
        """Create a connection called ``name`` (UserError if the name is taken or empty)."""
        if not name.strip():
            raise UserError("A connection needs a name.", code="connection.no_name")
        if name in self._connections:
            raise UserError(
                f"A connection named {name!r} already exists.",
                code="connection.duplicate",
                fix="Pick another name.",
            )
        conn = Connection(name, options, stream=self.events, http_client=self._client())
        self._connections[name] = conn
        if connect:
            conn.connect()
        return conn

    def get(self, name: str) -> Connection:
        try:
            return self._connections[name]
        except KeyError:
            raise UserError(f"No connection named {name!r}.", code="connection.unknown") from None

    async def remove(self, name: str) -> None:
        """Close the connection and forget it (its past events stay in the stream)."""
        conn = self.get(name)
        del self._connections[name]
        await conn.close()

    def names(self) -> list[str]:
        return list(self._connections)

    def __iter__(self) -> Iterator[Connection]:
        return iter(list(self._connections.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._connections

    def __len__(self) -> int:
        return len(self._connections)

    async def close_all(self) -> None:
        for name in self.names():
            await self.remove(name)
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> ConnectionManager:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close_all()
