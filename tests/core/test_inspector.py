"""The inspector: every kind of paste, the findings a user relies on, and never raising."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokenlab.core.ably_jwt import b64url_encode, hs256, mint_ably_jwt, mint_embedded_jwt
from tokenlab.core.can import can
from tokenlab.core.capability import Capability
from tokenlab.core.inspector import inspect
from tokenlab.core.keys import ApiKey
from tokenlab.core.report import InspectionReport, Part, SignatureStatus, TokenKind
from tokenlab.core.samples import FIXED_NOW_MS, SAMPLE_KEY, SAMPLES, generate_samples
from tokenlab.core.tokens import TokenParams, create_token_request

KEY = ApiKey("appId", "keyId", "s3cr3t")
NOW = 1_700_000_100_000
NOW_S = NOW // 1000
GOLDEN = (
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6ImFwcElkLmtleUlkIn0."
    "eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMCwieC1hYmx5LWNhcGFiaWxpdHkiOiJ7XCIqXCI6W1wi"
    "KlwiXX0iLCJ4LWFibHktY2xpZW50SWQiOiJ1c2VyQGV4YW1wbGUuY29tIn0."
    "PeGHxxBkAtR9oHmf7CeQPrG7A2Z1yzqcV0mOZuqCqtk"
)


def _jwt(header: dict[str, Any], claims: dict[str, Any], secret: str = "s3cr3t") -> str:
    signing = (
        b64url_encode(json.dumps(header).encode())
        + "."
        + b64url_encode(json.dumps(claims).encode())
    )
    return signing + "." + b64url_encode(hs256(secret, signing))


def _ably(claims: dict[str, Any], **header: Any) -> str:
    return _jwt({"typ": "JWT", "alg": "HS256", "kid": "appId.keyId", **header}, claims)


def _codes(report: InspectionReport) -> set[str]:
    return {f.code for f in report.findings}


def _run(text: str, **kwargs: Any) -> InspectionReport:
    return inspect(text, now_ms=kwargs.pop("now_ms", NOW), **kwargs)


# ---- JWTs ---------------------------------------------------------------------------------


def test_golden_jwt_full_report() -> None:
    report = _run(GOLDEN, known_keys=[KEY])
    assert report.kind is TokenKind.ABLY_JWT
    assert not report.has_errors
    assert report.signature.status is SignatureStatus.VALID
    assert report.identity is not None and report.identity.client_id == "user@example.com"
    assert report.capability is not None and report.capability.parsed == Capability.all()
    assert report.lifetime_ms == 3_600_000
    parts = [(s.part, GOLDEN[s.start : s.end]) for s in report.segments]
    assert [p for p, _ in parts] == [Part.HEADER, Part.CLAIMS, Part.SIGNATURE]
    assert ".".join(text for _, text in parts) == GOLDEN
    times = {t.name: t for t in report.times}
    assert times["exp"].iso_utc == "2023-11-14T23:13:20Z"
    assert times["exp"].relative == "in 58 min 20 s"
    assert times["iat"].relative == "1 min 40 s ago"
    claims = {c.name: c for c in report.claims}
    assert "capability" in claims["x-ably-capability"].explanation
    assert claims["exp"].known and "seconds" in claims["exp"].explanation
    assert {h.name for h in report.header} == {"typ", "alg", "kid"}
    assert json.loads(json.dumps(report.to_dict()))["kind"] == "ably_jwt"


def test_wrong_key_fails_signature() -> None:
    report = _run(GOLDEN, known_keys=[ApiKey("appId", "keyId", "other")])
    assert report.signature.status is SignatureStatus.INVALID
    finding = report.finding("signature.invalid")
    assert finding is not None and finding.ably_code == 40144


def test_signature_statuses_without_matching_key() -> None:
    assert _run(GOLDEN).signature.status is SignatureStatus.NOT_CHECKED
    other = ApiKey("x", "y", "z")
    assert _run(GOLDEN, known_keys=[other]).signature.status is SignatureStatus.NO_MATCHING_KEY


def test_expired() -> None:
    report = _run(GOLDEN, now_ms=1_700_007_200_000)
    finding = report.finding("token.expired")
    assert finding is not None and finding.ably_code == 40142
    assert "1 h ago" in finding.message
    assert finding.ably_summary is not None and finding.ably_summary.startswith("40142")


def test_not_yet_valid_and_iat_future() -> None:
    token = _ably({"iat": NOW_S + 600, "exp": NOW_S + 4000, "nbf": NOW_S + 600})
    report = _run(token)
    assert report.finding("token.issued_in_future").ably_code == 40001  # type: ignore[union-attr]
    assert "jwt.not_yet_valid" in _codes(report)


def test_small_skew_is_only_info() -> None:
    report = _run(_ably({"iat": NOW_S + 2, "exp": NOW_S + 60}))
    assert "token.issued_slightly_ahead" in _codes(report)
    assert not report.has_errors


def test_milliseconds_instead_of_seconds() -> None:
    report = _run(_ably({"iat": NOW, "exp": NOW + 3_600_000}))
    assert {"jwt.iat_in_ms", "jwt.exp_in_ms"} <= _codes(report)
    assert "token.expired" not in _codes(report)  # interpreted as ms, it is still valid
    message = report.finding("jwt.exp_in_ms").message  # type: ignore[union-attr]
    assert "milliseconds" in message


@pytest.mark.parametrize(
    ("ttl_s", "code", "severity"),
    [
        (25 * 3600, "token.ttl_too_long", "error"),
        (2 * 3600, "token.ttl_over_revocable_limit", "warning"),
    ],
)
def test_ttl_limits(ttl_s: int, code: str, severity: str) -> None:
    report = _run(_ably({"iat": NOW_S, "exp": NOW_S + ttl_s}))
    finding = report.finding(code)
    assert finding is not None and finding.severity == severity and finding.ably_code == 40003


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ({"alg": "none"}, "jwt.alg_none"),
        ({"alg": "RS256"}, "jwt.alg_not_hs256"),
        ({"kid": None}, "jwt.missing_kid"),
        ({"kid": "justoneword"}, "jwt.kid_shape"),
        ({"kid": "appId.keyId:s3cr3t"}, "jwt.kid_contains_secret"),
    ],
)
def test_header_problems(header: dict[str, Any], code: str) -> None:
    merged = {"typ": "JWT", "alg": "HS256", "kid": "appId.keyId", **header}
    merged = {k: v for k, v in merged.items() if v is not None}
    claims = {"iat": NOW_S, "exp": NOW_S + 60, "x-ably-capability": '{"*":["*"]}'}
    report = _run(_jwt(merged, claims))
    assert report.kind is TokenKind.ABLY_JWT
    assert code in _codes(report)
    assert report.has_errors


@pytest.mark.parametrize(
    ("claim", "meant"),
    [
        ("x-ably-capabilities", "x-ably-capability"),
        ("x-ably-capabilty", "x-ably-capability"),
        ("x-ably-clientid", "x-ably-clientId"),
        ("x-ably-client-id", "x-ably-clientId"),
    ],
)
def test_misspelt_ably_claims(claim: str, meant: str) -> None:
    report = _run(_ably({"iat": NOW_S, "exp": NOW_S + 60, claim: "x"}))
    finding = report.finding("claims.misspelt")
    assert finding is not None and meant in finding.message and finding.severity == "warning"
    assert report.verdict.outcome == "accepted_but"
    assert report.verdict.sentence.startswith("Accepted, but: Ably ignores the unknown claim")
    assert "so the token" in report.verdict.sentence  # the consequence, at a glance


def test_misspelling_alone_marks_an_ably_jwt() -> None:
    token = _jwt({"alg": "HS256"}, {"iat": NOW_S, "exp": NOW_S + 60, "x-ably-capabilities": "{}"})
    report = _run(token)
    assert report.kind is TokenKind.ABLY_JWT
    assert {"claims.misspelt", "jwt.missing_kid"} <= _codes(report)


def test_capability_object_instead_of_string() -> None:
    report = _run(
        _ably({"iat": NOW_S, "exp": NOW_S + 60, "x-ably-capability": {"chat": ["publish"]}})
    )
    finding = report.finding("capability.object_not_string")
    assert finding is not None
    assert '{"chat":["publish"]}' in finding.message  # the object form
    assert '"{\\"chat\\":[\\"publish\\"]}"' in finding.message  # the string form
    assert report.capability is not None and report.capability.parsed is not None


def test_invalid_capability() -> None:
    report = _run(
        _ably({"iat": NOW_S, "exp": NOW_S + 60, "x-ably-capability": '{"chat":["publish_"]}'})
    )
    assert "capability.unknown_op" in _codes(report)
    assert report.finding("capability.unknown_op").ably_code == 40000  # type: ignore[union-attr]


def test_wildcard_client_id() -> None:
    report = _run(_ably({"iat": NOW_S, "exp": NOW_S + 60, "x-ably-clientId": "*"}))
    assert "client_id.wildcard" in _codes(report)
    assert report.identity is not None and report.identity.kind == "wildcard"


def test_anonymous_and_missing_times() -> None:
    report = _run(_ably({}))
    assert {"jwt.missing_iat", "jwt.missing_exp", "capability.absent"} <= _codes(report)
    assert report.identity is not None and report.identity.kind == "unidentified"


def test_effective_capability_with_key_capability() -> None:
    token = _ably({"iat": NOW_S, "exp": NOW_S + 60, "x-ably-capability": '{"*":["*"]}'})
    report = _run(token, key_capabilities={"appId.keyId": '{"chat:*":["subscribe"]}'})
    assert report.capability is not None
    assert report.capability.effective == Capability.parse('{"chat:*":["subscribe"]}')
    assert can(report, "subscribe", "chat:a", now_ms=NOW).answer == "yes"
    assert can(report, "publish", "chat:a", now_ms=NOW).answer == "no"
    empty = _run(
        _ably({"iat": NOW_S, "exp": NOW_S + 60, "x-ably-capability": '{"x":["publish"]}'}),
        key_capabilities={"appId.keyId": '{"chat:*":["subscribe"]}'},
    )
    assert empty.finding("capability.empty_intersection").ably_code == 40160  # type: ignore[union-attr]


def test_generic_jwt_is_not_ably() -> None:
    report = _run(_jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "1", "exp": NOW_S + 60}))
    assert report.kind is TokenKind.JWT
    assert "jwt.not_ably" in _codes(report)
    # an identity provider's RS256 token with a JWKS kid is not mistaken for an Ably JWT
    idp = _run(_jwt({"alg": "RS256", "kid": "X5eXk4xyojNFum1kl2Ytv8dlNP4"}, {"sub": "1"}))
    assert idp.kind is TokenKind.JWT and "jwt.alg_not_hs256" not in _codes(idp)


def test_undecodable_jwt() -> None:
    report = _run("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln")
    assert report.kind is TokenKind.JWT
    assert report.finding("jwt.claims_undecodable").ably_code == 40144  # type: ignore[union-attr]


def test_jwe() -> None:
    head = b64url_encode(b'{"alg":"dir","enc":"A256GCM"}')
    report = _run(f"{head}..aXY.Y2lwaGVy.dGFn")
    assert report.kind is TokenKind.JWE
    assert {h.name for h in report.header} == {"alg", "enc"}


def test_embedded_outer_outlives_inner() -> None:
    inner = mint_ably_jwt(KEY, iat_s=NOW_S, ttl_s=600)
    ok = mint_embedded_jwt(inner, outer_secret="mine", iat_s=NOW_S, exp_s=NOW_S + 300)
    bad = mint_embedded_jwt(inner, outer_secret="mine", iat_s=NOW_S, exp_s=NOW_S + 900)
    good = _run(ok, known_keys=[KEY])
    assert good.kind is TokenKind.EMBEDDED_JWT and not good.has_errors
    assert good.inner is not None and good.inner.signature.status is SignatureStatus.VALID
    report = _run(bad)
    assert report.finding("embedded.outer_outlives_inner").ably_code == 40144  # type: ignore[union-attr]


def test_embedded_in_claims_with_opaque_inner() -> None:
    token = mint_embedded_jwt(
        "appId.abcdefghijklmnopqrstuv",
        outer_secret="x",
        iat_s=NOW_S,
        exp_s=NOW_S + 60,
        in_header=False,
    )
    report = _run(token)
    assert report.kind is TokenKind.EMBEDDED_JWT
    assert report.inner is not None and report.inner.kind is TokenKind.ABLY_TOKEN
    assert "embedded.inner_expiry_unknown" in _codes(report)


# ---- wrappers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrap",
    [
        "Bearer {t}",
        "Authorization: Bearer {t}",
        "  authorization:bearer   {t}\n",
        '"{t}"',
        "'{t}'",
        "https://rest.ably.io/channels?access_token={t}&v=5",
        "wss://realtime.ably.io/?accessToken={t}",
    ],
)
def test_wrappers_keep_ranges(wrap: str) -> None:
    text = wrap.format(t=GOLDEN)
    report = _run(text)
    assert report.kind is TokenKind.ABLY_JWT
    assert report.token_range is not None
    start, end = report.token_range
    assert text[start:end] == GOLDEN
    coloured = [s for s in report.segments if s.part is not Part.WRAPPER]
    assert text[coloured[0].start : coloured[-1].end] == GOLDEN
    assert report.notes or text.strip() == GOLDEN


def test_bearer_base64_is_decoded() -> None:
    encoded = base64.b64encode(GOLDEN.encode()).decode()
    report = _run(f"Authorization: Bearer {encoded}")
    assert report.kind is TokenKind.ABLY_JWT
    assert any("base64" in n for n in report.notes)
    assert report.token_range is None  # not verbatim in the input


def test_basic_auth_header_is_an_api_key() -> None:
    report = _run(KEY.basic_auth_header())
    assert report.kind is TokenKind.API_KEY
    assert {"key.pasted", "key.basic_auth"} <= _codes(report)


def test_api_key_pasted() -> None:
    text = "appId.keyId:s3cr3t"
    report = _run(text)
    assert report.kind is TokenKind.API_KEY and not report.has_errors
    assert report.verdict.outcome == "accepted_but"  # Ably takes it (Basic auth); risky
    assert "where a token belongs" in report.verdict.sentence
    assert "s3cr3t" not in json.dumps(report.to_dict())
    secret = next(s for s in report.segments if s.part is Part.SECRET)
    assert text[secret.start : secret.end] == "s3cr3t"


def test_api_key_in_url() -> None:
    report = _run("wss://realtime.ably.io/?key=appId.keyId:s3cr3t&v=5")
    assert {"key.pasted", "key.in_url"} <= _codes(report)


def test_malformed_api_key() -> None:
    report = _run("appId.keyId:")
    assert report.kind is TokenKind.API_KEY
    assert "key.empty_secret" in _codes(report)


def test_opaque_ably_token_and_key_name() -> None:
    report = _run("xVLyHw.A-pwh7wicf3afTfgiw4yOpwIoD_jZJ4TOTSXYV2tQyuHDZ")
    assert report.kind is TokenKind.ABLY_TOKEN
    assert "ably_token.opaque" in _codes(report)
    assert "only to Ably" in report.finding("ably_token.opaque").message  # type: ignore[union-attr]
    assert _run("appId.keyId").kind is TokenKind.NOT_A_TOKEN


# ---- JSON ---------------------------------------------------------------------------------


def _request(**params: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {"timestamp": NOW, "nonce": "0123456789abcdef"}
    return create_token_request(KEY, TokenParams(**{**defaults, **params})).to_dict()


def test_token_request_valid() -> None:
    data = _request(ttl=3_600_000, capability='{"*":["*"]}', client_id="bob")
    report = _run(json.dumps(data), known_keys=[KEY])
    assert report.kind is TokenKind.TOKEN_REQUEST
    assert report.signature.status is SignatureStatus.VALID
    assert (
        report.sign_text
        == 'appId.keyId\n3600000\n{"*":["*"]}\nbob\n1700000100000\n0123456789abcdef\n'
    )
    assert not report.has_errors
    assert report.identity is not None and report.identity.client_id == "bob"
    assert {f.name for f in report.claims} >= {"keyName", "mac", "nonce"}


def test_token_request_stale_and_resigned_capability() -> None:
    data = _request(capability='{"*": ["*"]}', timestamp=NOW - 600_000)
    data["capability"] = '{"*":["*"]}'
    report = _run(json.dumps(data), known_keys=[KEY])
    assert report.signature.status is SignatureStatus.INVALID
    mismatch = report.finding("mac.mismatch")
    assert mismatch is not None and '{"*": ["*"]}' in mismatch.message
    assert report.finding("token_request.timestamp_not_current").ably_code == 40104  # type: ignore[union-attr]


def test_token_request_capability_object() -> None:
    data = _request()
    data["capability"] = {"chat": ["publish"]}
    report = _run(json.dumps(data))
    assert "capability.object_not_string" in _codes(report)


def test_token_details_with_jwt_inside() -> None:
    jwt = mint_ably_jwt(KEY, iat_s=NOW_S - 7200, ttl_s=3600)
    data = {
        "token": jwt,
        "issued": (NOW_S - 7200) * 1000,
        "expires": (NOW_S - 3600) * 1000,
        "capability": '{"*":["*"]}',
        "keyName": "appId.keyId",
    }
    report = _run(json.dumps(data))
    assert report.kind is TokenKind.TOKEN_DETAILS
    assert "token.expired" in _codes(report)
    assert report.inner is not None and report.inner.kind is TokenKind.ABLY_JWT
    assert report.has_errors


def test_token_details_without_issued() -> None:
    report = _run(json.dumps({"token": "appId.abcdefghijklmnopqrst", "expires": NOW + 60_000}))
    assert report.finding("token_details.no_issued").ably_code == 40170  # type: ignore[union-attr]


def test_bare_capability() -> None:
    report = _run('{"chat:*":["publish","subscribe"]}')
    assert report.kind is TokenKind.CAPABILITY
    assert report.capability is not None and report.capability.explanation
    answer = can(report, "publish", "chat:x", now_ms=NOW)
    assert answer.sentence == "Yes: publish on 'chat:x' is allowed (granted by 'chat:*')."


def test_ably_error_body() -> None:
    report = _run('{"error":{"code":40142,"statusCode":401,"message":"Token expired"}}')
    assert report.kind is TokenKind.NOT_A_TOKEN
    assert report.finding("input.ably_error").ably_code == 40142  # type: ignore[union-attr]


def test_json_wrapper_field() -> None:
    report = _run(json.dumps({"access_token": GOLDEN, "expires_in": 3600}))
    assert report.kind is TokenKind.ABLY_JWT
    assert any("access_token" in n for n in report.notes)


# ---- not a token --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("550e8400-e29b-41d4-a716-446655440000", "UUID"),
        ("<!DOCTYPE html><html><body>Login</body></html>", "HTML"),
        ("hello there", "plain text"),
        ("null", "literal"),
        ("1700000000", "seconds"),
        ("-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----", "PEM"),
        (base64.b64encode(bytes(range(64))).decode(), "base64 blob"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON"),
        ("https://example.com/auth", "URL"),
    ],
)
def test_not_a_token_says_what_it_is(text: str, phrase: str) -> None:
    report = _run(text)
    assert report.kind is TokenKind.NOT_A_TOKEN
    finding = report.finding("input.not_a_token")
    assert finding is not None and phrase in finding.message


def test_empty() -> None:
    for text in ("", "   \n\t"):
        report = _run(text)
        assert report.kind is TokenKind.EMPTY and not report.has_errors


def test_base64_wrapped_token_without_scheme() -> None:
    report = _run(base64.b64encode(GOLDEN.encode()).decode())
    assert report.kind is TokenKind.ABLY_JWT


def test_huge_input() -> None:
    report = _run("A" * 200_000 + "." + "B" * 10 + "." + "C")
    too_long = report.finding("token.too_long")
    assert too_long is not None and too_long.ably_code is None  # Ably has no code for it
    assert too_long.ably_text == "No Ably error code (a tokenlab check)"
    junk = _run("\x00\x01garbage" * 150_000)
    assert {"token.too_long", "input.not_a_token"} <= _codes(junk)


def test_bytes_input() -> None:
    assert inspect(GOLDEN.encode(), now_ms=NOW).kind is TokenKind.ABLY_JWT
    assert inspect(b"\xff\xfe\x00junk", now_ms=NOW).kind is TokenKind.NOT_A_TOKEN


# ---- samples ------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.id)
def test_samples_inspect_as_advertised(sample: Any) -> None:
    text = generate_samples(FIXED_NOW_MS)[sample.id]
    report = inspect(text, now_ms=FIXED_NOW_MS + 60_000, known_keys=[SAMPLE_KEY])
    expected = {
        "ably-jwt": (TokenKind.ABLY_JWT, False),
        "token-request": (TokenKind.TOKEN_REQUEST, False),
        "expired-token": (TokenKind.ABLY_JWT, True),
        "api-key": (TokenKind.API_KEY, False),
        "embedded-jwt": (TokenKind.EMBEDDED_JWT, False),
        "token-details": (TokenKind.TOKEN_DETAILS, False),
    }[sample.id]
    assert (report.kind, report.has_errors) == expected


# ---- never raises -------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_sane(report: InspectionReport, text: str) -> None:
    assert isinstance(report, InspectionReport)
    assert "inspector.internal_error" not in report.codes(), report.findings
    for segment in report.segments:
        assert 0 <= segment.start < segment.end <= len(text)
    json.dumps(report.to_dict(), default=str)


@FUZZ
@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    _assert_sane(inspect(text, now_ms=NOW, known_keys=[KEY]), text)


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_bytes(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    _assert_sane(inspect(data, now_ms=NOW, known_keys=[KEY]), text)


_ALPHABET = "abcXYZ019-_+/=.:{}[]\"', \n*"


@FUZZ
@given(
    base=st.sampled_from([GOLDEN, *generate_samples(FIXED_NOW_MS).values()]),
    edits=st.lists(
        st.tuples(
            st.integers(0, 2000),
            st.sampled_from(["del", "ins", "rep"]),
            st.sampled_from(list(_ALPHABET)),
        ),
        max_size=6,
    ),
)
def test_fuzz_mutated_tokens(base: str, edits: list[tuple[int, str, str]]) -> None:
    text = base
    for pos, op, ch in edits:
        i = pos % (len(text) + 1)
        if op == "del":
            text = text[:i] + text[i + 1 :]
        elif op == "ins":
            text = text[:i] + ch + text[i:]
        else:
            text = text[:i] + ch + text[i + 1 :]
    _assert_sane(inspect(text, now_ms=NOW, known_keys=[KEY, SAMPLE_KEY]), text)


@FUZZ
@given(
    claims=st.dictionaries(
        st.sampled_from(
            [
                "iat",
                "exp",
                "nbf",
                "x-ably-capability",
                "x-ably-clientId",
                "x-ably-token",
                "x-ably-capabilities",
                "sub",
            ]
        ),
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.floats(allow_nan=True)
        | st.text(max_size=30)
        | st.lists(st.integers(), max_size=3)
        | st.dictionaries(
            st.text(max_size=5), st.lists(st.text(max_size=8), max_size=3), max_size=2
        ),
    ),
    header=st.dictionaries(
        st.sampled_from(["alg", "kid", "typ", "x-ably-token"]),
        st.none() | st.text(max_size=20) | st.integers(),
    ),
)
def test_fuzz_structured_jwts(claims: dict[str, Any], header: dict[str, Any]) -> None:
    token = _jwt(header, claims)
    _assert_sane(inspect(token, now_ms=NOW, known_keys=[KEY]), token)


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "keyName",
                "ttl",
                "capability",
                "clientId",
                "timestamp",
                "nonce",
                "mac",
                "token",
                "issued",
                "expires",
                "error",
            ]
        ),
        st.none()
        | st.booleans()
        | st.integers(-(2**64), 2**64)
        | st.text(max_size=20)
        | st.floats(allow_nan=False)
        | st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    )
)
def test_fuzz_json_objects(data: dict[str, Any]) -> None:
    text = json.dumps(data)
    _assert_sane(inspect(text, now_ms=NOW, known_keys=[KEY]), text)


@settings(max_examples=10, deadline=None)
@given(
    st.sampled_from(["x", "eyJ", "{", ".", "A.B.", "Bearer ", "\u0000", "é"]), st.integers(1, 40)
)
def test_fuzz_huge(chunk: str, mult: int) -> None:
    text = chunk * (mult * 10_000)
    _assert_sane(inspect(text, now_ms=NOW), text)
