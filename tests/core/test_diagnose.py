"""TokenRequest diagnosis (why Ably rejects it) and token diffs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace
from typing import Any

import pytest

from tokenlab.core.ably_jwt import mint_ably_jwt
from tokenlab.core.diagnose import diagnose_token_request, find_mac_mistake, request_findings
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokendiff import diff_tokens
from tokenlab.core.tokens import TokenParams, TokenRequest, compute_mac, create_token_request

KEY = ApiKey("appId", "keyId", "s3cr3t")
NOW = 1_700_000_000_000
NONCE = "0123456789abcdef"


def _signed(**params: Any) -> TokenRequest:
    base: dict[str, Any] = {"timestamp": NOW, "nonce": NONCE}
    return create_token_request(KEY, TokenParams(**{**base, **params}))


def _codes(request: Any, key: ApiKey = KEY, now: int = NOW) -> set[str]:
    return {f.code for f in diagnose_token_request(request, key, now_ms=now).findings}


@pytest.mark.parametrize(
    ("ttl", "capability", "client_id", "mac"),
    [
        (3_600_000, '{"*":["*"]}', None, "VrIFeQ1VUAYq/lmbfrJuuCX63aGh00SBpetx2FUk180="),
        (3_600_000, '{"*": ["*"]}', None, "s6/CpT6sgbVzLyV2ascM+sfksvJ3M1LgoBvgxFsrAu4="),
        (None, None, None, "uqvcs3K8PCFYeUUKzXf/epjBi68uVymacwF4KirliZ4="),
        (
            3_600_000,
            '{"*":["*"]}',
            "user@example.com",
            "JygfXK1l3I6tABa9RwxNtXzeTGnzF6zDP/5mySh35XM=",
        ),
    ],
)
def test_reference_vectors_diagnose_clean(
    ttl: int | None, capability: str | None, client_id: str | None, mac: str
) -> None:
    request = TokenRequest("appId.keyId", NOW, NONCE, mac, ttl, capability, client_id)
    diagnosis = diagnose_token_request(request, KEY, now_ms=NOW + 1000)
    assert diagnosis.mac_ok and diagnosis.ok, diagnosis.findings
    assert diagnosis.expected_mac == mac
    assert diagnosis.ably_code is None


def test_wrong_secret() -> None:
    diagnosis = diagnose_token_request(_signed(), ApiKey("appId", "keyId", "nope"), now_ms=NOW)
    assert not diagnosis.ok and diagnosis.ably_code == 40101
    assert diagnosis.matched is None
    assert "secret is wrong" in next(
        f.message for f in diagnosis.findings if f.code == "mac.mismatch"
    )


def test_wrong_key_name() -> None:
    request = replace(_signed(), key_name="appId.other")
    codes = _codes(request)
    assert {"token_request.key_name_mismatch", "mac.mismatch"} <= codes
    diagnosis = diagnose_token_request(request, KEY, now_ms=NOW)
    assert diagnosis.matched is not None and "appId.keyId" in diagnosis.matched.description


@pytest.mark.parametrize(
    ("signed_cap", "sent_cap", "phrase"),
    [
        ('{"*": ["*"]}', '{"*":["*"]}', "ably-python"),
        ('{"*":["*"]}', '{"*": ["*"]}', "canonical"),
        ('{"b": ["subscribe"], "a": ["publish"]}', '{"b":["subscribe"],"a":["publish"]}', "spaced"),
        ('{\n  "a": [\n    "publish"\n  ]\n}', '{"a":["publish"]}', "pretty-printed"),
    ],
)
def test_capability_reserialised_after_signing(signed_cap: str, sent_cap: str, phrase: str) -> None:
    request = replace(_signed(capability=signed_cap), capability=sent_cap)
    diagnosis = diagnose_token_request(request, KEY, now_ms=NOW)
    assert diagnosis.ably_code == 40101
    assert diagnosis.matched is not None
    assert phrase in diagnosis.matched.description
    assert signed_cap in diagnosis.matched.signed_text  # the bytes that were really signed
    assert diagnosis.expected_mac == compute_mac(KEY.secret, request.sign_text())


def test_capability_added_after_signing() -> None:
    request = replace(_signed(), capability='{"*":["*"]}')
    diagnosis = diagnose_token_request(request, KEY, now_ms=NOW)
    assert diagnosis.matched is not None and "added after signing" in diagnosis.matched.description


@pytest.mark.parametrize(
    ("signed", "sent", "phrase"),
    [
        ({"ttl": 3600}, {"ttl": 3_600_000}, "seconds"),
        ({"ttl": 3_600_000}, {"ttl": None}, "omits"),
        ({}, {"ttl": 60_000}, "without ttl"),
        ({"client_id": None}, {"client_id": "bob"}, "without the clientId"),
    ],
)
def test_field_changed_after_signing(
    signed: dict[str, Any], sent: dict[str, Any], phrase: str
) -> None:
    request = replace(_signed(**signed), **sent)
    match = find_mac_mistake(request, KEY)
    assert match is not None and phrase in match.description


def test_timestamp_in_seconds_signed_and_sent() -> None:
    request = _signed(timestamp=NOW // 1000)
    diagnosis = diagnose_token_request(request, KEY, now_ms=NOW)
    assert diagnosis.mac_ok
    assert "token_request.timestamp_in_seconds" in {f.code for f in diagnosis.findings}
    assert diagnosis.ably_code == 40104


@pytest.mark.parametrize(
    ("offset", "stale"), [(-121_000, True), (121_000, True), (-119_000, False)]
)
def test_timestamp_window(offset: int, stale: bool) -> None:
    codes = _codes(_signed(timestamp=NOW + offset))
    assert ("token_request.timestamp_not_current" in codes) is stale


def test_short_nonce_and_ttl_units_and_limits() -> None:
    assert "token_request.nonce_short" in _codes(_signed(nonce="abcde100"))
    assert "token_request.ttl_seconds" in _codes(_signed(ttl=3600))
    diagnosis = diagnose_token_request(_signed(ttl=86_400_001), KEY, now_ms=NOW)
    assert diagnosis.ably_code == 40003
    assert "token.ttl_over_revocable_limit" in _codes(_signed(ttl=7_200_000))


def test_encoding_and_secret_mistakes() -> None:
    request = _signed()
    digest = hmac.new(b"s3cr3t", request.sign_text().encode(), hashlib.sha256).digest()
    hex_request = replace(request, mac=digest.hex())
    assert "hex" in find_mac_mistake(hex_request, KEY).description  # type: ignore[union-attr]
    url = replace(request, mac=base64.urlsafe_b64encode(digest).decode().rstrip("="))
    assert "base64url" in find_mac_mistake(url, KEY).description  # type: ignore[union-attr]
    no_newline = hmac.new(b"s3cr3t", request.sign_text()[:-1].encode(), hashlib.sha256).digest()
    nl = replace(request, mac=base64.b64encode(no_newline).decode())
    assert "final newline" in find_mac_mistake(nl, KEY).description  # type: ignore[union-attr]
    b64_key = ApiKey(
        "appId", "keyId", base64.b64encode(b"binary-secret-bytes").decode().rstrip("=")
    )
    raw = hmac.new(b"binary-secret-bytes", request.sign_text().encode(), hashlib.sha256).digest()
    decoded = replace(request, mac=base64.b64encode(raw).decode())
    assert "DECODED" in find_mac_mistake(decoded, b64_key).description  # type: ignore[union-attr]


def test_diagnose_from_json_text_and_dict() -> None:
    request = _signed(capability='{"*":["*"]}')
    assert diagnose_token_request(request.to_json(), KEY, now_ms=NOW).mac_ok
    data = request.to_dict()
    data["capability"] = {"*": ["*"]}
    diagnosis = diagnose_token_request(data, KEY, now_ms=NOW)
    assert "capability.object_not_string" in {f.code for f in diagnosis.findings}
    assert diagnose_token_request("not json", KEY, now_ms=NOW).request is None
    assert diagnose_token_request({"ttl": 5}, KEY, now_ms=NOW).ably_code == 40001


def test_unsigned_request() -> None:
    request = replace(_signed(), mac=None)
    assert "token_request.unsigned" in {f.code for f in request_findings(request, NOW)}
    assert not diagnose_token_request(request, KEY, now_ms=NOW).mac_ok


def test_empty_and_wildcard_client_id() -> None:
    assert "client_id.empty" in _codes(replace(_signed(), client_id=""))
    assert "client_id.wildcard" in _codes(_signed(client_id="*"))


def test_diagnosis_to_dict_is_json() -> None:
    diagnosis = diagnose_token_request(replace(_signed(), mac="bad"), KEY, now_ms=NOW)
    data = json.loads(json.dumps(diagnosis.to_dict()))
    assert data["ok"] is False and data["ablyCode"] == 40101


# ---- diff ---------------------------------------------------------------------------------


def test_renewal_diff() -> None:
    old = mint_ably_jwt(KEY, iat_s=1000, ttl_s=3600, capability='{"*":["*"]}', client_id="a")
    new = mint_ably_jwt(
        KEY, iat_s=4600, ttl_s=3600, capability='{"*": ["*"]}', client_id="b", revocation_key="r1"
    )
    diff = diff_tokens(old, new, now_ms=5_000_000)
    changes = {c.name: c for c in diff.changes}
    assert changes["iat"].note == "+1 h" and changes["exp"].note == "+1 h"
    assert changes["x-ably-clientId"].before == "a" and changes["x-ably-clientId"].after == "b"
    assert changes["x-ably-capability"].note == "same capability, different bytes"
    assert changes["x-ably-revocation-key"].change == "added"
    assert "kid" not in changes
    assert not diff.identical
    assert diff_tokens(old, old, now_ms=0).identical
    assert "+1 h" in changes["exp"].describe()


def test_diff_across_kinds_and_opaque_tokens() -> None:
    jwt = mint_ably_jwt(KEY, iat_s=1000, ttl_s=60)
    diff = diff_tokens(jwt, "appId.abcdefghijklmnopqrstuvwxyz", now_ms=0)
    assert diff.changes[0].section == "kind"
    opaque = diff_tokens("appId.abcdefghijklmnopq1", "appId.abcdefghijklmnopq2", now_ms=0)
    assert [c.name for c in opaque.changes] == ["token"]
    assert json.dumps(opaque.to_dict())


def test_diff_token_requests() -> None:
    a = _signed(ttl=60_000).to_json()
    b = _signed(ttl=120_000).to_json()
    changes = {c.name: c for c in diff_tokens(a, b, now_ms=NOW).changes}
    assert changes["ttl"].note == "+1 min"
    assert changes["mac"].change == "changed"
