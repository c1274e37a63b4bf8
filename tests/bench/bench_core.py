"""Core benchmarks: prints ratios measured in one run; exits 1 if a target is missed.

Not part of pytest (run: ``python tests/bench/bench_core.py`` or ``make bench``).

- TokenRequest create+sign vs ably-python's create_token_request: target >= 4x faster
- TokenRequest create+sign vs raw hmac+base64 over the same sign text: target within 4x
- Ably JWT mint vs raw ``jwt.encode`` of the same header and claims: target >= 0.8x as fast
- inspect() of a typical Ably JWT: target <= 200 µs
- inspect() of 1 MB of junk: target <= 50 ms, with a clear finding
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import random
import string
import sys
import time
from collections.abc import Callable

import jwt
from ably import AblyRest

from tokenlab.core.ably_jwt import mint_ably_jwt
from tokenlab.core.inspector import inspect
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenParams, create_token_request

KEY = ApiKey("appId", "keyId", "s3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t")
NOW = 1_700_000_000_000
CAPABILITY = '{"chat:*":["presence","publish","subscribe"],"notifications":["subscribe"]}'
NONCE = "0123456789abcdef"
_CLEAR = {"input.not_a_token", "jwt.header_undecodable", "jwt.segments"}


def per_call(func: Callable[[], object], number: int, repeat: int = 5) -> float:
    """Best-of-``repeat`` seconds per call."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        best = min(best, (time.perf_counter() - start) / number)
    return best


PARAMS = TokenParams(ttl=3_600_000, capability=CAPABILITY, client_id="bob")


def tokenlab_request() -> object:
    # like the ably-python side, the params object is built once; time and nonce are injected
    return create_token_request(KEY, PARAMS, now_ms=lambda: NOW, nonce_factory=lambda: NONCE)


def ably_per_call(number: int, repeat: int = 5) -> float:
    params = {
        "ttl": 3_600_000,
        "capability": CAPABILITY,
        "client_id": "bob",
        "timestamp": NOW,
        "nonce": NONCE,
    }

    async def run() -> float:
        rest = AblyRest(key=KEY.full(), endpoint="127.0.0.1", tls=False)
        try:
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                for _ in range(number):
                    await rest.auth.create_token_request(params)
                best = min(best, (time.perf_counter() - start) / number)
            return best
        finally:
            await rest.close()

    return asyncio.run(run())


def raw_sign() -> object:
    text = f"{KEY.name}\n3600000\n{CAPABILITY}\nbob\n{NOW}\n{NONCE}\n"
    digest = hmac.new(KEY.secret.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def ably_jwt() -> object:
    return mint_ably_jwt(
        KEY, iat_s=NOW // 1000, ttl_s=3600, capability=CAPABILITY, client_id="alice"
    )


def raw_jwt() -> object:
    claims = {
        "iat": NOW // 1000,
        "exp": NOW // 1000 + 3600,
        "x-ably-capability": CAPABILITY,
        "x-ably-clientId": "alice",
    }
    return jwt.encode(
        claims, KEY.secret, algorithm="HS256", headers={"kid": KEY.name}, sort_headers=False
    )


def main() -> int:
    results: list[tuple[str, str, bool]] = []
    ours = per_call(tokenlab_request, 20_000)
    theirs = ably_per_call(5_000)
    raw = per_call(raw_sign, 20_000)
    results.append(
        (
            "TokenRequest create+sign vs ably-python",
            f"{theirs / ours:.1f}x faster ({ours * 1e6:.1f} µs vs {theirs * 1e6:.1f} µs)",
            theirs / ours >= 4,
        )
    )
    results.append(
        (
            "TokenRequest create+sign vs raw hmac+base64",
            f"{ours / raw:.2f}x the raw cost ({raw * 1e6:.1f} µs raw)",
            ours / raw <= 4,
        )
    )
    mint, encode = per_call(ably_jwt, 20_000), per_call(raw_jwt, 20_000)
    results.append(
        (
            "Ably JWT mint vs jwt.encode",
            f"{encode / mint:.2f}x as fast ({mint * 1e6:.1f} µs vs {encode * 1e6:.1f} µs)",
            encode / mint >= 0.8,
        )
    )
    token = str(ably_jwt())
    typical = per_call(lambda: inspect(token, now_ms=NOW + 60_000, known_keys=[KEY]), 2_000)
    results.append(("inspect typical Ably JWT", f"{typical * 1e6:.0f} µs", typical <= 200e-6))
    rng = random.Random(7)
    junks = {
        "printable": "".join(rng.choices(string.printable, k=1_000_000)),
        "base64-like": "".join(rng.choices(string.ascii_letters + string.digits, k=1_000_000)),
        "dotted": ".".join(["eyJhbGciOiJIUzI1NiJ9"] * 50_000)[:1_000_000],
        "json-ish": "{" + "x" * 999_999,
    }
    worst_time, worst_name, all_clear = 0.0, "", True
    for name, junk in junks.items():
        elapsed = per_call(lambda junk=junk: inspect(junk, now_ms=NOW), 5)
        codes = {f.code for f in inspect(junk, now_ms=NOW).findings}
        all_clear = all_clear and "token.too_long" in codes and bool(codes & _CLEAR)
        if elapsed >= worst_time:
            worst_time, worst_name = elapsed, name
    results.append(
        (
            "inspect 1 MB of junk (worst of 4 kinds)",
            f"{worst_time * 1e3:.1f} ms ({worst_name})",
            worst_time <= 0.05 and all_clear,
        )
    )
    width = max(len(name) for name, _, _ in results)
    for name, value, ok in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name:<{width}}  {value}")
    return 0 if all(ok for _, _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
