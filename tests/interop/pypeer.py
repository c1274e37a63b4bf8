"""ably-python 3.1.4 as an in-process interop peer: the same scenarios as js/peer.js.

Each scenario takes the same config dict as the JS peer (camelCase names) and returns the same
list of event dicts, so one test body asserts on both SDKs. The SDK is used as an application
would, except for the endpoint options, the realtime port patch (conftest.py) and the internal
presence call marked RAW.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable
from typing import Any

from ably import AblyRealtime, AblyRest
from ably.types.presence import PresenceAction

from tests.interop.pywatch import Event, StateWatch, err_info, token_details


class PyPeer:
    """One run of one scenario; collect ``events`` like the JS peer's JSON lines."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        self.events: list[Event] = []
        self.callback_calls = 0
        self.common: dict[str, Any] = {
            "endpoint": "127.0.0.1",
            "port": cfg["port"],
            "tls_port": cfg["port"],
            "tls": bool(cfg.get("tls")),
            "use_binary_protocol": bool(cfg.get("binary")),
            "realtime_request_timeout": cfg.get("realtimeRequestTimeout", 5000),
            "disconnected_retry_timeout": 1000,
        }
        # Signs TokenRequests locally; its only HTTP use is the requestToken POST.
        self.signer = AblyRest(key=cfg["key"], **self.common)
        self._clients: list[AblyRealtime] = []

    def emit(self, event: str, **data: Any) -> None:
        self.events.append({"event": event, "t": int(time.time() * 1000), **data})

    # -- auth helpers ------------------------------------------------------------------------

    async def auth_callback(self, token_params: dict[str, Any]) -> Any:
        """An application's authCallback (ably-python requires ``async def``)."""
        self.callback_calls += 1
        self.emit("auth_callback", call=self.callback_calls, params=dict(token_params or {}))
        params = dict(token_params or {})
        if "clientId" in self.cfg:
            params["client_id"] = self.cfg["clientId"]
        if "ttl" in self.cfg:
            params["ttl"] = self.cfg["ttl"]
        if "capability" in self.cfg and params.get("capability") is None:
            params["capability"] = self.cfg["capability"]
        return await self.signer.auth.create_token_request(params)

    def _params(self, js_style: dict[str, Any]) -> dict[str, Any]:
        names = {"clientId": "client_id", "ttl": "ttl", "capability": "capability"}
        return {names[k]: v for k, v in js_style.items() if v is not None}

    async def request_token(self, params: dict[str, Any]) -> Any:
        tr = await self.signer.auth.create_token_request(params)
        self.emit("token_request", tokenRequest=tr.to_dict())

        async def hand_over(_params: dict[str, Any]) -> Any:
            return tr

        # Exchange exactly this TokenRequest at /keys/{keyName}/requestToken.
        return await self.signer.auth.request_token(params, auth_callback=hand_over)

    # -- realtime helpers --------------------------------------------------------------------

    def realtime_options(self, mode: str) -> dict[str, Any]:
        o = dict(self.common)
        if mode == "key":
            o["key"] = self.cfg["key"]
        elif mode == "token":
            o["token"] = self.cfg["token"]
        elif mode == "callback":
            o["auth_callback"] = self.auth_callback
        elif mode == "authurl":
            o["auth_url"] = self.cfg["authUrl"]
            o["auth_params"] = self.cfg.get("authParams") or {}
        else:
            raise ValueError(f"unknown mode {mode}")
        if "clientId" in self.cfg and mode != "callback":
            o["client_id"] = self.cfg["clientId"]
        return o

    def new_client(
        self, opts: dict[str, Any], label: str = "main"
    ) -> tuple[AblyRealtime, StateWatch]:
        rt = AblyRealtime(**opts)
        self._clients.append(rt)
        return rt, StateWatch(rt, label, self.emit)

    async def connect(self, mode: str, label: str = "main") -> tuple[AblyRealtime, StateWatch]:
        rt, watch = self.new_client(self.realtime_options(mode), label)
        done = {"connected", "failed"}
        if rt.connection.state.value not in done:
            await watch.wait(lambda sc: sc.current.value in done, 8, "connected")
        if rt.connection.state.value != "connected":
            raise RuntimeError(f"connection failed: {err_info(rt.connection.error_reason)}")
        self.emit(
            "connected",
            client=label,
            connectionId=rt.connection.connection_manager.connection_id,
            connectionKey=rt.connection.connection_details.connection_key,
            clientId=rt.auth.client_id,
        )
        return rt, watch

    async def close_client(self, rt: AblyRealtime) -> None:
        if rt.connection.state.value == "failed":
            # Nothing to close on the wire. (ably-python's close() on a FAILED client would
            # still send CLOSE on the dead socket from a background task, whose
            # ConnectionClosedOK is then logged as "Task exception was never retrieved".)
            await rt.http.close()
        else:
            await asyncio.wait_for(rt.close(), 30)
        self.emit("closed", state=rt.connection.state.value)

    async def attach(self, rt: AblyRealtime, name: str) -> Any:
        channel = rt.channels.get(name)
        try:
            await asyncio.wait_for(channel.attach(), 30)
            self.emit("attach", channel=name, ok=True, state=channel.state.value)
        except Exception as e:
            self.emit(
                "attach", channel=name, ok=False, state=channel.state.value, error=err_info(e)
            )
        return channel

    async def _try(
        self, event: str, op: Awaitable[Any], timeout_s: float = 30, **extra: Any
    ) -> None:
        try:
            await asyncio.wait_for(op, timeout_s)
            self.emit(event, ok=True, **extra)
        except Exception as e:
            self.emit(event, ok=False, error=err_info(e), **extra)

    async def aclose(self) -> None:
        for rt in self._clients:
            if rt.connection.state.value not in {"closed", "failed"}:
                await asyncio.wait_for(rt.close(), 30)
            else:  # closing twice is harmless; a failed client still owns an httpx client
                await rt.http.close()
        await self.signer.close()

    # -- scenarios (same names and events as js/peer.js) -------------------------------------

    async def rest_token(self) -> None:
        params = self._params(
            {k: self.cfg.get(k) for k in ("clientId", "capability", "ttl")},
        )
        self.emit("token_details", **token_details(await self.request_token(params)))
        forged_mac = base64.b64encode(bytes([7] * 32)).decode()
        forged = await self.signer.auth.create_token_request(dict(params, mac=forged_mac))

        async def hand_over(_params: dict[str, Any]) -> Any:
            return forged

        await self._try("forged", self.signer.auth.request_token(params, auth_callback=hand_over))

    async def rest_use_token_auth(self) -> None:
        """ably-python's own path: AblyRest(key, use_token_auth=True) signs + requests itself."""
        rest = AblyRest(key=self.cfg["key"], use_token_auth=True, **self.common)
        try:
            td = await rest.auth.authorize(self._params({"clientId": self.cfg.get("clientId")}))
            self.emit("token_details", **token_details(td))
        finally:
            await rest.close()

    async def realtime(self) -> None:
        rt, _ = await self.connect(self.cfg["mode"])
        if self.cfg.get("channel"):
            channel = await self.attach(rt, self.cfg["channel"])
            await self._try("publish", channel.publish("greeting", {"hello": "world"}))
        await self.close_client(rt)

    async def idle(self) -> None:
        rt, _ = await self.connect("key")
        changes: list[Event] = []

        def on_change(sc: Any) -> None:
            changes.append(
                {
                    "current": sc.current.value,
                    "change": sc.event.value,
                    "reason": err_info(sc.reason),
                }
            )

        rt.connection.on(on_change)
        await asyncio.sleep(self.cfg["holdMs"] / 1000)
        self.emit(
            "idle",
            state=rt.connection.state.value,
            changes=list(changes),
            connectionId=rt.connection.connection_manager.connection_id,
        )
        await self.close_client(rt)

    async def renewal(self) -> None:
        rt, watch = await self.connect("callback")
        first = rt.connection.connection_manager.connection_id
        seen: dict[str, Any] = {"disconnect": None}

        def on_disconnected(sc: Any) -> None:
            seen["disconnect"] = err_info(sc.reason)

        rt.connection.on("disconnected", on_disconnected)
        wait_s = self.cfg.get("waitMs", 10000) / 1000
        if self.cfg["expect"] == "update":
            await watch.wait(lambda sc: sc.event.value == "update", wait_s, "update event")
        else:
            # One waiter for "connected again after a disconnect", so no transition can slip
            # between two separate waits.
            went: dict[str, bool] = {"down": False}

            def back_up(sc: Any) -> bool:
                went["down"] = went["down"] or sc.current.value == "disconnected"
                return went["down"] and sc.current.value == "connected"

            await watch.wait(back_up, wait_s + 8, "disconnected then connected again")
        self.emit(
            "renewed",
            before=first,
            after=rt.connection.connection_manager.connection_id,
            state=rt.connection.state.value,
            callbacks=self.callback_calls,
            disconnect=seen["disconnect"],
        )
        await self.close_client(rt)

    async def authorize(self) -> None:
        rt, _ = await self.connect("callback")
        first = rt.connection.connection_manager.connection_id
        await self.attach(rt, self.cfg["deniedChannel"])
        updates = {"count": 0}

        def on_update(_sc: Any) -> None:
            updates["count"] += 1

        rt.connection.on("update", on_update)
        try:
            td = await asyncio.wait_for(
                rt.auth.authorize({"capability": self.cfg["newCapability"]}), 8
            )
            self.emit(
                "authorized",
                ok=True,
                capability=str(td.capability),
                connectionId=rt.connection.connection_manager.connection_id,
                before=first,
            )
        except Exception as e:
            self.emit("authorized", ok=False, error=err_info(e))
        await asyncio.sleep(0.05)
        self.emit("updates", count=updates["count"], state=rt.connection.state.value)
        await self.attach(rt, self.cfg["allowedChannel"])
        await self.close_client(rt)

    async def client_id_mismatch(self) -> None:
        token_client = self.cfg.get("tokenClientId")
        td = await self.request_token({"client_id": token_client} if token_client else {})
        self.emit("token_details", **token_details(td))
        rt, watch = self.new_client(
            dict(self.common, token=td.token, client_id=self.cfg["clientId"])
        )
        done = {"connected", "failed"}
        sc = await watch.wait(lambda s: s.current.value in done, 8, "outcome")
        self.emit(
            "outcome",
            state=sc.current.value,
            reason=err_info(sc.reason),
            clientId=rt.auth.client_id,
        )
        await self.close_client(rt)

    async def reauth_client_id_change(self) -> None:
        """See js/peer.js: the second token is for another clientId, its details claim the
        first one, so only the server can refuse the in-band AUTH (ERROR 40102 -> FAILED)."""

        async def callback(token_params: dict[str, Any]) -> Any:
            self.callback_calls += 1
            self.emit("auth_callback", call=self.callback_calls, params=dict(token_params or {}))
            if self.callback_calls == 1:
                return await self.signer.auth.create_token_request(
                    {"client_id": self.cfg["clientId"]}
                )
            td = await self.signer.auth.request_token({"client_id": self.cfg["reauthClientId"]})
            return dict(token_details(td), clientId=self.cfg["clientId"])

        rt, watch = self.new_client(dict(self.common, auth_callback=callback))
        await watch.wait(lambda sc: sc.current.value == "connected", 8, "connected")
        self.emit(
            "connected",
            client="main",
            connectionId=rt.connection.connection_manager.connection_id,
            clientId=rt.auth.client_id,
        )
        await self._try("authorized", rt.auth.authorize(), timeout_s=30)
        self.emit(
            "outcome",
            state=rt.connection.state.value,
            reason=err_info(rt.connection.error_reason),
        )
        await self.close_client(rt)

    async def presence_anonymous(self) -> None:
        td = await self.request_token({})
        self.emit("token_details", **token_details(td))
        self.cfg["token"] = td.token
        rt, _ = await self.connect("token")
        channel = await self.attach(rt, self.cfg["channel"])
        await self._try("enter", channel.presence.enter("hi"), side="client")
        # RAW: _enter_or_update_client is the SDK's internal send path behind enter(); calling it
        # skips only enter()'s client-side anonymous check, so the ENTER goes to the server.
        raw = channel.presence._enter_or_update_client(None, None, "hi", PresenceAction.ENTER)
        await self._try("raw_enter", raw)
        await self._try("enter_client", channel.presence.enter_client("mallory", "hi"))
        self.emit("after", state=rt.connection.state.value, channelState=channel.state.value)
        self.cfg["clientId"] = self.cfg["identifiedClientId"]
        ok, _ = await self.connect("key", "identified")
        ch2 = await self.attach(ok, self.cfg["channel"])
        await self._try("identified_enter", ch2.presence.enter("hi"))
        await self.close_client(ok)
        await self.close_client(rt)


async def run_py(
    cfg: dict[str, Any], deadline_s: float = 60, peer_class: type[PyPeer] = PyPeer
) -> list[Event]:
    """Run one scenario in this event loop; errors become a ``fatal`` event like in JS."""
    peer = peer_class(dict(cfg))
    peer.emit("start", scenario=cfg["scenario"])
    try:
        await asyncio.wait_for(getattr(peer, cfg["scenario"])(), deadline_s)
        peer.emit("done")
    except Exception as e:
        peer.emit("fatal", error=err_info(e), type=type(e).__name__)
    finally:
        await peer.aclose()
    return peer.events
