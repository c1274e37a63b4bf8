"""Connection state bookkeeping (RTN4, TA1-TA5): the current state, errorReason, the
``StateChanged`` events (including ``update``), retry delays (RTB1) and awaiting a state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tokenlab.core.errors import AblyError
from tokenlab.realtime.clock import Clock, LoopClock
from tokenlab.realtime.events import ConnectionState, EventBody, StateChanged
from tokenlab.realtime.protocol import ErrorInfo

TERMINAL: frozenset[ConnectionState] = frozenset({"closed", "failed"})

# Client-side reason codes when no server error explains a state (js connectionerrors.ts).
STATE_CODES: dict[ConnectionState, tuple[int, str]] = {
    "disconnected": (80003, "Connection disconnected"),
    "suspended": (80002, "Connection suspended"),
    "failed": (80000, "Connection failed"),
    "closed": (80017, "Connection closed"),
    "closing": (80017, "Connection closing"),
}

# The codes of an operation refused because the connection is not (or no longer) usable.
REFUSED_STATE_CODES = frozenset(code for code, _ in STATE_CODES.values())


def retry_delay_ms(base_ms: int, attempt: int, jitter: float) -> int:
    """RTB1: ``base * min((attempt + 2) / 3, 2) * (1 - jitter * 0.2)``; attempt counts from 1."""
    backoff = min((attempt + 2) / 3, 2.0)
    return max(0, round(base_ms * backoff * (1 - 0.2 * jitter)))


def state_error(state: ConnectionState) -> AblyError:
    code, text = STATE_CODES.get(state, (80000, f"Connection {state}"))
    return AblyError(code, text)


class StateTracker:
    def __init__(self, emit: Callable[[EventBody], None], clock: Clock | None = None) -> None:
        self._emit = emit
        self._clock: Clock = clock or LoopClock()
        self.state: ConnectionState = "initialized"
        self.error_reason: ErrorInfo | None = None
        self._waiters: list[tuple[frozenset[ConnectionState], asyncio.Future[ConnectionState]]] = []

    def set(
        self, new: ConnectionState, reason: ErrorInfo | None = None, retry_in: int | None = None
    ) -> None:
        previous = self.state
        if previous == new and new not in ("disconnected", "suspended"):
            return
        self.state = new
        if reason is not None or new == "connected":
            self.error_reason = reason
        self._emit(StateChanged(previous, new, new, reason, retry_in))
        self._notify(new)

    def update(self, reason: ErrorInfo | None) -> None:
        """RTN24: a CONNECTED while connected (reauth, or the server's own update)."""
        if reason is not None:
            self.error_reason = reason
        self._emit(StateChanged(self.state, self.state, "update", reason, None))

    def _notify(self, state: ConnectionState) -> None:
        keep = []
        for states, fut in self._waiters:
            if fut.done():
                continue
            if state in states:
                fut.set_result(state)
            elif state in TERMINAL:
                fut.set_exception(self._terminal_error(state))
            else:
                keep.append((states, fut))
        self._waiters = keep

    def _terminal_error(self, state: ConnectionState) -> AblyError:
        reason = self.error_reason
        if reason is not None and state == "failed":
            return reason.to_exception()
        return state_error(state)

    async def wait_for(self, *states: ConnectionState, timeout_ms: int) -> ConnectionState:
        """Wait until one of ``states``; AblyError if the connection ends in failed/closed
        first, AblyError 50003 after ``timeout_ms``."""
        wanted = frozenset(states)
        if self.state in wanted:
            return self.state
        if self.state in TERMINAL:
            raise self._terminal_error(self.state)
        fut: asyncio.Future[ConnectionState] = asyncio.get_running_loop().create_future()
        self._waiters.append((wanted, fut))
        try:
            async with self._clock.timeout(timeout_ms):
                return await fut
        except TimeoutError:
            raise AblyError(
                50003,
                f"Timed out after {timeout_ms} ms waiting for "
                f"{'/'.join(sorted(wanted))} (state is {self.state})",
                status=504,
            ) from None
        finally:
            if not fut.done():
                fut.cancel()
