"""Injected time and randomness.

Everything in ``tokenlab.core`` that depends on the current time or on randomness takes a
callable instead, so tests are deterministic and the sandbox can simulate clock skew.
"""

from __future__ import annotations

import time
from collections.abc import Callable

NowMs = Callable[[], int]
NonceFactory = Callable[[], str]


def system_now_ms() -> int:
    """Wall-clock time in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def random_nonce() -> str:
    """A 16-character hex nonce, the shape ably-python uses (Ably requires >= 16 chars)."""
    import secrets  # imported late: it loads OpenSSL, which start-up does not need

    return secrets.token_hex(8)


def skewed(now_ms: NowMs, skew_ms: int) -> NowMs:
    """A clock that runs ``skew_ms`` ahead of ``now_ms`` (negative: behind)."""
    return lambda: now_ms() + skew_ms
