"""The one verdict, the year of a millisecond exp, and "can it…?" as a user reads them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tokenlab.core.ably_jwt import b64url_encode, hs256
from tokenlab.core.can import can, parse_question
from tokenlab.core.inspector import inspect
from tokenlab.core.keys import ApiKey
from tokenlab.core.report import InspectionReport
from tokenlab.core.timefmt import relative, year

KEY = ApiKey("appId", "keyId", "s3cr3t")
NOW = 1_700_000_100_000
NOW_S = NOW // 1000
CAP = '{"chat:*":["subscribe"]}'


def _ably(claims: dict[str, Any], secret: str = "s3cr3t") -> str:
    header = {"typ": "JWT", "alg": "HS256", "kid": "appId.keyId"}
    signing = b64url_encode(json.dumps(header).encode()) + "."
    signing += b64url_encode(json.dumps(claims).encode())
    return signing + "." + b64url_encode(hs256(secret, signing))


def _run(text: str, now_ms: int = NOW, **kwargs: Any) -> InspectionReport:
    return inspect(text, now_ms=now_ms, known_keys=[KEY], **kwargs)


def test_fine_token_is_fine_everywhere() -> None:
    report = _run(_ably({"iat": NOW_S, "exp": NOW_S + 600, "x-ably-capability": CAP}))
    assert report.verdict.outcome == "fine"
    assert report.verdict.sentence == "Fine: nothing Ably would object to."
    assert report.to_dict()["verdict"]["label"] == "Fine"


def test_expired_token_is_rejected_with_its_code() -> None:
    report = _run(_ably({"iat": NOW_S - 7200, "exp": NOW_S - 3600, "x-ably-capability": CAP}))
    assert report.verdict.outcome == "rejected"
    assert report.verdict.ably_code == 40142
    assert "40142 Token expired" in report.verdict.sentence


def test_not_a_token_verdict() -> None:
    report = _run("hello world, this is prose")
    assert report.verdict.outcome == "not_a_token"
    assert not report.verdict.sentence.startswith("Not a token: Not a token")


def test_api_key_in_url_is_accepted_but() -> None:
    report = _run("wss://realtime.ably.io/?key=appId.keyId:s3cr3t&v=5")
    assert report.verdict.outcome == "accepted_but"


def test_wildcard_client_id_is_accepted_but() -> None:
    claims = {"iat": NOW_S, "exp": NOW_S + 600, "x-ably-clientId": "*", "x-ably-capability": CAP}
    report = _run(_ably(claims))
    assert report.verdict.outcome == "accepted_but"


def test_every_error_and_warning_names_a_code_or_says_none() -> None:
    report = _run(_ably({"iat": NOW_S, "exp": NOW_S + 600, "x-ably-capabilities": CAP}))
    for finding in report.findings:
        if finding.severity != "info":
            assert finding.ably_text.startswith(("Ably 4", "No Ably error code"))
    misspelt = report.finding("claims.misspelt")
    assert misspelt is not None and misspelt.ably_text == "No Ably error code (a tokenlab check)"


def test_exp_in_milliseconds_states_the_real_year_and_the_header_agrees() -> None:
    exp_ms = (NOW_S + 3600) * 1000
    report = _run(_ably({"iat": NOW_S, "exp": exp_ms, "x-ably-capability": CAP}))
    finding = report.finding("jwt.exp_in_ms")
    assert finding is not None
    expected_year = year(exp_ms * 1000)
    assert 55_000 < expected_year < 60_000
    assert f"year {expected_year:,}" in finding.message
    assert "1796" not in finding.message
    exp = next(t for t in report.times if t.name == "exp")
    assert exp.epoch_ms == exp_ms * 1000  # the time shown is the one Ably would use
    assert f"(year {expected_year:,})" in exp.relative
    assert "min" not in exp.relative
    assert report.verdict.outcome == "rejected"  # a lifetime of ~41 days: 40003
    assert report.verdict.ably_code == 40003


def test_far_future_relative_time_reads_in_years() -> None:
    assert relative(NOW + 100 * 31_556_952_000 * 2, NOW).startswith("in about 200 years")


@pytest.mark.parametrize(
    ("claims", "secret", "answer", "code"),
    [
        ({"iat": NOW_S, "exp": NOW_S + 600}, "s3cr3t", "yes", None),
        ({"iat": NOW_S - 7200, "exp": NOW_S - 3600}, "s3cr3t", "yes_but", 40142),
        ({"iat": NOW_S, "exp": NOW_S + 600}, "wrong", "no", 40144),
        ({"iat": NOW_S, "exp": NOW_S + 600, "nbf": NOW_S + 300}, "s3cr3t", "yes_but", None),
    ],
)
def test_can_accounts_for_expiry_nbf_and_signature(
    claims: dict[str, Any], secret: str, answer: str, code: int | None
) -> None:
    report = _run(_ably({**claims, "x-ably-capability": CAP}, secret))
    result = can(report, "subscribe", "chat:lobby", now_ms=NOW)
    assert (result.answer, result.ably_code) == (answer, code)
    if answer == "yes_but" and code == 40142:
        assert result.sentence.startswith("Yes, but the token is expired")


def test_can_says_no_with_40160_when_the_capability_does_not_grant() -> None:
    report = _run(_ably({"iat": NOW_S, "exp": NOW_S + 600, "x-ably-capability": CAP}))
    result = can(report, "publish", "chat:lobby", now_ms=NOW)
    assert result.answer == "no" and result.ably_code == 40160
    assert result.sentence.startswith("No:")


def test_parse_question() -> None:
    assert parse_question("subscribe:chat:lobby") == ("subscribe", "chat:lobby")
    with pytest.raises(ValueError, match="OP:CHANNEL"):
        parse_question("subscribe")
