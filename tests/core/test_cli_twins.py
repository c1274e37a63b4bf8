"""The CLI twins of the GUI screens: inspect --can, the verdict line, key arguments."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.core.cli_helpers import FRESH, GOLDEN, KEY, run_cli
from tokenlab.cli import join_dash_values

LATE = "--now-ms=1800000000000"


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKENLAB_KEY", raising=False)


def test_inspect_prints_the_verdict_and_json_carries_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "inspect", GOLDEN, "--key", KEY, FRESH)
    assert code == 0 and "Fine: nothing Ably would object to." in out.splitlines()[1]
    code, out, _ = run_cli(capsys, "inspect", GOLDEN, "--key", KEY, LATE, "--json")
    data = json.loads(out)
    assert code == 1 and data["verdict"]["outcome"] == "rejected"
    assert data["verdict"]["ablyCode"] == 40142


def test_inspect_can_is_repeatable_and_accounts_for_expiry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["inspect", GOLDEN, "--key", KEY, "--can", "subscribe:chat:lobby", "--can", "x:y"]
    code, out, _ = run_cli(capsys, *argv, FRESH)
    assert code == 0 and "subscribe on chat:lobby: Yes" in out
    code, out, _ = run_cli(capsys, *argv, LATE, "--json")
    answers = json.loads(out)["can"]
    assert [a["answer"] for a in answers] == ["yes_but", "yes_but"]  # its capability is *
    assert answers[0]["ablyCode"] == 40142


def test_inspect_can_needs_op_and_channel(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "inspect", GOLDEN, "--can", "subscribe")
    assert code == 2 and "OP:CHANNEL" in err


def test_key_capability_without_key_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "inspect", GOLDEN, "--key-capability", '{"*":["*"]}')
    assert code == 2 and "--key-capability needs --key" in err


def test_key_whose_app_id_starts_with_a_dash(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "token-request", "--key", "-app1.key1:s3cr3t", "--json")
    assert code == 0, err
    assert json.loads(out)["keyName"] == "-app1.key1"
    assert join_dash_values(["--key", "--json"]) == ["--key", "--json"]  # a forgotten value


def test_diff_shows_what_changed(capsys: pytest.CaptureFixture[str]) -> None:
    from tokenlab.core.ably_jwt import mint_ably_jwt
    from tokenlab.core.keys import ApiKey

    key = ApiKey.parse(KEY)
    a = mint_ably_jwt(key, iat_s=1_700_000_000, ttl_s=3600, client_id="alice")
    b = mint_ably_jwt(key, iat_s=1_700_000_000, ttl_s=7200, client_id="bob")
    code, out, _ = run_cli(capsys, "diff", a, b, FRESH)
    assert code == 1
    assert "claims.x-ably-clientId: alice -> bob" in out and "claims.exp" in out
    code, out, _ = run_cli(capsys, "diff", a, a, FRESH, "--json")
    assert code == 0 and json.loads(out)["identical"] is True


def test_jwt_general_with_secret_and_pem(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from tokenlab.core import jws
    from tokenlab.core.verify import verify_general_jwt

    argv = ["jwt", "--general", "--alg", "HS256", "--secret", "x" * 40, "--claim", "sub=u1"]
    code, out, _ = run_cli(capsys, *argv, "--json")
    data = json.loads(out)
    assert code == 0 and data["claims"]["sub"] == "u1" and data["header"]["alg"] == "HS256"
    assert verify_general_jwt(data["token"], jws.key_from_secret("x" * 40)).valid
    private = ec.generate_private_key(ec.SECP256R1())
    pem = tmp_path / "k.pem"
    pem.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    code, out, _ = run_cli(capsys, "jwt", "--general", "--alg", "ES256", "--pem", str(pem), "-q")
    assert code == 0 and verify_general_jwt(out.strip(), jws.key_from_pem(pem.read_text())).valid
    code, _, err = run_cli(capsys, "jwt", "--general")
    assert code == 2 and "exactly one of --secret" in err
