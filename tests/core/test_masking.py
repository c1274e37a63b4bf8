"""Masks for the projector: an embedded Ably token is a credential even while base64-encoded."""

from __future__ import annotations

from tokenlab.core import samples
from tokenlab.core.ably_jwt import decode_jwt
from tokenlab.core.masking import carries_token, mask_jwt, mask_text, secret_spans

NOW_MS = 1_700_000_000_000


def _embedded() -> tuple[str, str]:
    outer = samples.sample_text("embedded-jwt", now_ms=NOW_MS).strip()
    header = decode_jwt(outer).header
    return outer, str(header["x-ably-token"])


def test_an_encoded_header_carrying_a_token_is_masked_everywhere() -> None:
    outer, inner = _embedded()
    head, claims, signature = outer.split(".")
    assert carries_token(head) and not carries_token(claims)
    for shown in (mask_jwt(outer), mask_text(f"Authorization: Bearer {outer}")):
        assert head not in shown and signature not in shown and inner not in shown
        assert claims in shown  # the outer claims stay readable
    spans = secret_spans(outer)
    covered = {i for a, b in spans for i in range(a, b)}
    assert all(i in covered for i in range(len(head) - 4))  # painted over but the last 4


def test_plain_jwts_keep_their_header_and_claims_readable() -> None:
    jwt = samples.sample_text("ably-jwt", now_ms=NOW_MS).strip()
    head, claims, signature = jwt.split(".")
    shown = mask_jwt(jwt)
    assert shown.startswith(f"{head}.{claims}.") and signature not in shown
    assert not carries_token("not base64 at all!") and not carries_token("eyJ")
