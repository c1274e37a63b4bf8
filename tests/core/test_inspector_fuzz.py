"""The inspector never crashes: lone surrogates, invalid UTF-8 on stdin and hostile claim types
give a report, human output that encodes, and ``--json`` that is always valid JSON."""

from __future__ import annotations

import base64
import io
import json
import math
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokenlab.cli import main
from tokenlab.commands.common import SafeStream
from tokenlab.commands.inspect import render
from tokenlab.core import safetext
from tokenlab.core.inspector import inspect
from tokenlab.core.keys import ApiKey

NOW = 1_700_000_100_000
KEY = ApiKey.parse("appId.keyId:s3cr3tsecret")
CLAIMS = (
    "iat",
    "exp",
    "nbf",
    "x-ably-capability",
    "x-ably-clientId",
    "x-ably-revocation-key",
    "x-ably-token",
    "x-ably-clientType",
)
HEADER_FIELDS = ("alg", "kid", "typ", "x-ably-token")

# Anything JSON (or Python's json module) can decode, plus what it writes but JSON forbids.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec=None), max_size=12),  # includes lone surrogates
    st.sampled_from(['{"x":[{}]}', '{"x":[["publish"]]}', '{"*":["*"]}', "\ud800", "\udfff"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def segment(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)  # writes NaN / Infinity as Python does
    data = text.encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def check_outputs(text: str) -> None:
    report = inspect(text, now_ms=NOW, known_keys=[KEY], key_capabilities={KEY.name: '{"*":["*"]}'})
    as_json = safetext.dumps(report.to_dict(), indent=2)
    json.loads(as_json)  # valid JSON ...
    as_json.encode("utf-8")  # ... that can be written
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # strict, like a real stdout
    render(report, SafeStream(stdout))  # type: ignore[arg-type]
    stdout.flush()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.dictionaries(st.sampled_from(HEADER_FIELDS), values, max_size=4),
    claims=st.dictionaries(st.sampled_from(CLAIMS), values, max_size=6),
)
def test_hostile_jwt_claims_and_headers_never_crash(
    header: dict[str, Any], claims: dict[str, Any]
) -> None:
    header.setdefault("alg", "HS256")
    check_outputs(f"{segment(header)}.{segment(claims)}.c2lnbmF0dXJl")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=80))
def test_any_text_with_surrogates_never_crashes(text: str) -> None:
    check_outputs(text)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(
        [
            '{{"keyName":"a.b","timestamp":1,"ttl":{v},"capability":"{{}}"}}',
            '{{"keyName":"a.b","timestamp":{v},"nonce":"n","mac":"m"}}',
            '{{"token":"a.b","capability":{v},"expires":{v},"issued":{v}}}',
        ]
    ),
    st.sampled_from(
        [
            "NaN",
            "Infinity",
            "-Infinity",
            "1e400",
            "1" + "0" * 5000,
            '"\\ud800"',
            '{"x":[{}]}',
            "[[1]]",
            '"' + "9" * 5000 + '"',
        ]
    ),
)
def test_hostile_token_request_and_details_json_never_crash(template: str, value: str) -> None:
    check_outputs(template.format(v=value))


def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data: bytes, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = main(["inspect", *args, "-", "--now-ms", str(NOW)])
    out, err = capsys.readouterr()
    return code, out, err


NON_STRING_OPS = json.dumps({"x": [{}]})
HOSTILE_STDIN = [
    b"eyJ\xff\xfe.x.y",
    b"\xc3\x28 not utf-8",
    (
        segment({"alg": "HS256", "kid": chr(0xD800)}) + "." + segment({"iat": math.nan}) + ".c2ln"
    ).encode(),
    (
        segment({"alg": "HS256"}) + "." + segment({"x-ably-capability": NON_STRING_OPS}) + ".c2ln"
    ).encode(),
    b'{"keyName":"a.b","timestamp":1e400,"capability":"{\\"x\\":[[\\"publish\\"]]}"}',
]


@pytest.mark.parametrize("data", HOSTILE_STDIN)
@pytest.mark.parametrize("as_json", [False, True])
def test_cli_inspect_reports_hostile_input_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    as_json: bool,
) -> None:
    code, out, err = run_cli(capsys, monkeypatch, data, *(["--json"] if as_json else []))
    assert code in (0, 1)
    assert "Traceback" not in err
    if as_json:
        json.loads(out)
    else:
        assert out.strip()


@pytest.mark.parametrize("capability", ['{"x":[{}]}', '{"x":[["publish"]]}'])
def test_non_string_capability_ops_are_a_finding(capability: str) -> None:
    text = segment({"alg": "HS256", "kid": KEY.name}) + "."
    text += segment({"iat": NOW // 1000, "exp": NOW // 1000 + 60, "x-ably-capability": capability})
    report = inspect(text + ".c2ln", now_ms=NOW)
    found = [f for f in report.findings if f.code == "capability.op_not_string"]
    assert found and found[0].ably_code == 40000
