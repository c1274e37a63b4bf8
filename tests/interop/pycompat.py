"""ably-python driven through the behaviours its own test suite checks (issue 12): the same
scenario names and events as js/compat.js, so one test body asserts on both SDKs."""

from __future__ import annotations

from typing import Any

from ably import AblyRealtime

from tests.interop.pypeer import PyPeer
from tests.interop.pywatch import err_info

CONNECTED_OR_FAILED = {"connected", "failed"}


class CompatPeer(PyPeer):
    def _expiry_options(self) -> dict[str, Any]:
        o = dict(self.common)
        if "clientId" in self.cfg:
            o["client_id"] = self.cfg["clientId"]
        if self.cfg["mode"] == "callback":

            async def callback(_token_params: Any) -> Any:
                self.callback_calls += 1
                params = {"ttl": self.cfg["ttl"], "client_id": self.cfg.get("clientId")}
                td = await self.signer.auth.request_token(params)
                return td.token if self.cfg.get("asString") else td

            o["auth_callback"] = callback
        return o

    async def expiry(self) -> None:
        """See js/compat.js ``expiry``."""
        o = self._expiry_options()
        if self.cfg["mode"] in ("token", "tokenDetails"):
            params: dict[str, Any] = {"ttl": self.cfg["ttl"]}
            if "clientId" in self.cfg:
                params["client_id"] = self.cfg["clientId"]
            td = await self.signer.auth.request_token(params)
            if self.cfg["mode"] == "token":
                o["token"] = td.token
            else:
                o.update(token_details=td, query_time=True)
        rt, watch = self.new_client(o)
        up = await watch.until(_state_in(CONNECTED_OR_FAILED), 0, 8, "connect")
        first = _connection_id(rt)
        self.emit("connected", state=watch.seen[up].current.value, connectionId=first)
        wait = self.cfg["ttl"] / 1000 + 8
        down = await watch.until(lambda sc: sc.current.value != "connected", up + 1, wait, "expiry")
        self.emit(
            "expired",
            state=watch.seen[down].current.value,
            reason=err_info(watch.seen[down].reason),
        )
        after = down
        if watch.seen[down].current.value != "failed":
            after = await watch.until(_state_in(CONNECTED_OR_FAILED), down + 1, 10, "after")
        self.emit(
            "after",
            state=watch.seen[after].current.value,
            reason=err_info(watch.seen[after].reason),
            before=first,
            connectionId=_connection_id(rt),
            callbacks=self.callback_calls,
            changes=[sc.current.value for sc in watch.seen],
        )
        await self.close_client(rt)


def _state_in(states: set[str]) -> Any:
    return lambda sc: sc.current.value in states


def _connection_id(rt: AblyRealtime) -> str | None:
    value: str | None = rt.connection.connection_manager.connection_id
    return value
