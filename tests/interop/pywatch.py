"""Helpers for the in-process ably-python peer: error/token views and a state-change waiter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ably import AblyRealtime

Event = dict[str, Any]
Pred = Callable[[Any], bool]


def err_info(e: BaseException | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "code": getattr(e, "code", None),
        "statusCode": getattr(e, "status_code", None),
        "message": str(getattr(e, "message", e)),
    }


def token_details(td: Any) -> Event:
    return {
        "token": td.token,
        "keyName": getattr(td, "key_name", None),
        "issued": td.issued,
        "expires": td.expires,
        "capability": str(td.capability) if td.capability is not None else None,
        "clientId": td.client_id,
    }


class StateWatch:
    """Records connection state changes and lets a scenario await the next matching one."""

    def __init__(self, rt: AblyRealtime, label: str, emit: Callable[..., None]) -> None:
        self._rt = rt
        self._waiters: list[tuple[Pred, asyncio.Future[Any]]] = []
        self._label = label
        self._emit = emit
        self.seen: list[Any] = []  # every state change since creation
        rt.connection.on(self._on_change)

    def _on_change(self, sc: Any) -> None:
        mgr = self._rt.connection.connection_manager
        details = self._rt.connection.connection_details
        self._emit(
            "state",
            client=self._label,
            previous=sc.previous.value,
            current=sc.current.value,
            change=sc.event.value,
            reason=err_info(sc.reason),
            connectionId=mgr.connection_id,
            connectionKey=details.connection_key if details else None,
        )
        self.seen.append(sc)
        for pred, fut in list(self._waiters):
            if not fut.done() and pred(sc):
                fut.set_result(sc)
                self._waiters.remove((pred, fut))

    async def wait(self, pred: Pred, timeout_s: float, what: str) -> Any:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiters.append((pred, fut))
        try:
            return await asyncio.wait_for(fut, timeout_s)
        except TimeoutError as e:
            raise TimeoutError(f"timeout after {timeout_s} s: {what}") from e

    async def until(self, pred: Pred, start: int, timeout_s: float, what: str) -> int:
        """Index of the first recorded change at or after ``start`` matching ``pred``: no
        transition can slip between two waits."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            for index in range(start, len(self.seen)):
                if pred(self.seen[index]):
                    return index
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"timeout after {timeout_s} s: {what}")
            await self.wait(lambda _sc: True, left, what)
