"""The CLI twins of the GUI screens: inspect --can, the verdict line, key arguments."""

from __future__ import annotations

import json

import pytest

from tokenlab.cli import join_dash_values, main

KEY = "appId.keyId:s3cr3t"
GOLDEN = (
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6ImFwcElkLmtleUlkIn0."
    "eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMCwieC1hYmx5LWNhcGFiaWxpdHkiOiJ7XCIqXCI6W1wi"
    "KlwiXX0iLCJ4LWFibHktY2xpZW50SWQiOiJ1c2VyQGV4YW1wbGUuY29tIn0."
    "PeGHxxBkAtR9oHmf7CeQPrG7A2Z1yzqcV0mOZuqCqtk"
)
FRESH = "--now-ms=1700000100000"
LATE = "--now-ms=1800000000000"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKENLAB_KEY", raising=False)


def test_inspect_prints_the_verdict_and_json_carries_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "inspect", GOLDEN, "--key", KEY, FRESH)
    assert code == 0 and "Fine: nothing Ably would object to." in out.splitlines()[1]
    code, out, _ = _run(capsys, "inspect", GOLDEN, "--key", KEY, LATE, "--json")
    data = json.loads(out)
    assert code == 1 and data["verdict"]["outcome"] == "rejected"
    assert data["verdict"]["ablyCode"] == 40142


def test_inspect_can_is_repeatable_and_accounts_for_expiry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["inspect", GOLDEN, "--key", KEY, "--can", "subscribe:chat:lobby", "--can", "x:y"]
    code, out, _ = _run(capsys, *argv, FRESH)
    assert code == 0 and "subscribe on chat:lobby: Yes" in out
    code, out, _ = _run(capsys, *argv, LATE, "--json")
    answers = json.loads(out)["can"]
    assert [a["answer"] for a in answers] == ["yes_but", "yes_but"]  # its capability is *
    assert answers[0]["ablyCode"] == 40142


def test_inspect_can_needs_op_and_channel(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "inspect", GOLDEN, "--can", "subscribe")
    assert code == 2 and "OP:CHANNEL" in err


def test_key_capability_without_key_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "inspect", GOLDEN, "--key-capability", '{"*":["*"]}')
    assert code == 2 and "--key-capability needs --key" in err


def test_key_whose_app_id_starts_with_a_dash(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "token-request", "--key", "-app1.key1:s3cr3t", "--json")
    assert code == 0, err
    assert json.loads(out)["keyName"] == "-app1.key1"
    assert join_dash_values(["--key", "--json"]) == ["--key", "--json"]  # a forgotten value
