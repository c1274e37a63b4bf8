"""The inspect / token-request / jwt / verify commands, through ``tokenlab.cli.main``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.core.cli_helpers import FRESH, GOLDEN, KEY, run_cli
from tokenlab.core import jws
from tokenlab.core.ably_jwt import decode_jwt, verify_hs256
from tokenlab.core.samples import FIXED_NOW_MS, SAMPLE_KEY, generate_samples
from tokenlab.core.tokens import TokenRequest, verify_mac


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKENLAB_KEY", raising=False)
    monkeypatch.delenv("TOKENLAB_OUTER_SECRET", raising=False)


# ---- inspect --------------------------------------------------------------------------------


def test_inspect_valid_jwt(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "inspect", GOLDEN, "--key", KEY, FRESH)
    assert code == 0
    assert "Ably JWT" in out and "valid: Signed by the key appId.keyId" in out
    assert "s3cr3t" not in out
    assert "no problems found" in out


def test_inspect_expired_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "inspect", GOLDEN, "--now-ms", "1800000000000")
    assert code == 1
    assert "40142" in out and "expired" in out


def test_inspect_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "inspect", f"Bearer {GOLDEN}", "--json", FRESH)
    data = json.loads(out)
    assert code == 0 and data["kind"] == "ably_jwt"
    assert data["identity"]["clientId"] == "user@example.com"


def test_inspect_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"Authorization: Bearer {GOLDEN}\n"))
    code, out, _ = run_cli(capsys, "inspect", "-", FRESH)
    assert code == 0 and "Removed the 'Authorization:' header name." in out


def test_inspect_api_key_never_prints_secret(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "inspect", KEY)
    assert code == 0  # accepted, but: the verdict says why
    assert "Accepted, but" in out
    assert "s3cr3t" not in out and "appId.keyId:••••" in out


def test_inspect_key_from_env_and_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOKENLAB_KEY", KEY)
    assert "valid: Signed" in run_cli(capsys, "inspect", GOLDEN, FRESH)[1]
    monkeypatch.delenv("TOKENLAB_KEY")
    key_file = tmp_path / "key"
    key_file.write_text("appId.keyId:wrong\n")
    code, out, _ = run_cli(capsys, "inspect", GOLDEN, "--key-file", str(key_file), FRESH)
    assert code == 1 and "invalid" in out


def test_bad_key_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "inspect", GOLDEN, "--key", "nonsense")
    assert code == 2 and "40005" in err


def test_inspect_token_request_with_key_capability(capsys: pytest.CaptureFixture[str]) -> None:
    request = generate_samples(FIXED_NOW_MS)["token-request"]
    code, out, _ = run_cli(
        capsys,
        "inspect",
        request,
        "--key",
        SAMPLE_KEY.full(),
        "--json",
        f"--now-ms={FIXED_NOW_MS + 1000}",
        "--key-capability",
        '{"chat:*":["subscribe"]}',
    )
    data = json.loads(out)
    assert code == 0
    assert data["signature"]["status"] == "valid"
    assert data["capability"]["effective"] == {"chat:*": ["subscribe"]}
    assert data["signText"].endswith("7f3c9a0e12b45d68\n")


# ---- token-request --------------------------------------------------------------------------


def test_token_request_reference_vector(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "token-request",
        "--key",
        KEY,
        "--ttl",
        "3600000",
        "--capability",
        '{"*":["*"]}',
        "--timestamp",
        "1700000000000",
        "--nonce",
        "0123456789abcdef",
        "--json",
    )
    data = json.loads(out)
    assert data["mac"] == "VrIFeQ1VUAYq/lmbfrJuuCX63aGh00SBpetx2FUk180="
    assert code == 1  # the 2023 timestamp is outside Ably's 2-minute window today


def test_token_request_fresh_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "token-request", "--key", KEY, "--client-id", "bob", "--capability", '{"*": ["*"]}'
    )
    assert code == 0
    assert "keyName     appId.keyId↵" in out
    assert '{"*": ["*"]}↵' in out  # signed exactly as given
    assert "clientId    bob↵" in out
    assert "s3cr3t" not in out
    json_line = next(line for line in out.splitlines() if line.strip().startswith('{"keyName"'))
    request = TokenRequest.from_dict(json.loads(json_line))
    assert verify_mac(request, "s3cr3t")
    assert len(request.nonce or "") == 16


def test_token_request_canonical_and_invalid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "token-request",
        "--key",
        KEY,
        "--capability",
        '{"b": ["subscribe"], "a": ["*"]}',
        "--canonical",
        "--json",
    )
    assert code == 0 and json.loads(out)["capability"] == '{"a":["*"],"b":["subscribe"]}'
    code, _, err = run_cli(capsys, "token-request", "--key", KEY, "--capability", '{"a":["nope"]}')
    assert code == 2 and "nope" in err


def test_token_request_needs_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "token-request")
    assert code == 2 and "TOKENLAB_KEY" in err


def test_token_request_ttl_too_long_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "token-request", "--key", KEY, "--ttl", "90000000")
    assert code == 1 and "40003" in out


# ---- jwt ------------------------------------------------------------------------------------


def test_jwt_golden(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "jwt",
        "--key",
        KEY,
        "--iat",
        "1700000000",
        "--capability",
        '{"*":["*"]}',
        "--client-id",
        "user@example.com",
        "-q",
    )
    assert out.strip() == GOLDEN
    assert code == 1  # minted in 2023, so expired now


def test_jwt_fresh_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "jwt",
        "--key",
        KEY,
        "--ttl",
        "600",
        "--revocation-key",
        "g1",
        "--claim",
        "sub=user-1",
        "--claim",
        "n=3",
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert data["header"]["kid"] == "appId.keyId"
    assert data["claims"]["exp"] - data["claims"]["iat"] == 600
    assert data["claims"]["x-ably-revocation-key"] == "g1"
    assert data["claims"]["sub"] == "user-1" and data["claims"]["n"] == 3
    assert verify_hs256(decode_jwt(data["token"]), "s3cr3t")


def test_jwt_malformed_claim_has_the_pair_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "jwt", "--key", KEY, "--claim", "oops")
    assert code != 0 and out == ""
    assert "--claim is not name=value: 'oops'." in err
    assert "e.g. sub=alice" in err  # the fix, as for --auth-param and the Live editor


def test_jwt_embedded(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "jwt", "--key", KEY, "--outer-secret", "mine", "-q")
    outer = decode_jwt(out.strip())
    assert code == 0
    inner = decode_jwt(outer.header["x-ably-token"])
    assert verify_hs256(outer, "mine") and verify_hs256(inner, "s3cr3t")
    code, out, _ = run_cli(
        capsys,
        "jwt",
        "--embed-token",
        "appId.abcdefghijklmnop",
        "--outer-secret",
        "mine",
        "--in-claims",
        "-q",
    )
    assert decode_jwt(out.strip()).claims["x-ably-token"] == "appId.abcdefghijklmnop"
    code, _, err = run_cli(capsys, "jwt", "--embed-token", "appId.abcdefghijklmnop")
    assert code == 2 and "outer-secret" in err


def test_jwt_bad_capability(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "jwt", "--key", KEY, "--capability", "{not json")
    assert code == 2 and "JSON" in err


# ---- verify ---------------------------------------------------------------------------------


def test_verify_with_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "verify", GOLDEN, "--key", KEY)[0] == 0
    code, out, _ = run_cli(capsys, "verify", f"Bearer {GOLDEN}", "--key", "appId.keyId:other")
    assert code == 1 and "does not match" in out


def test_verify_secret_reports_weak_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "verify", GOLDEN, "--secret", "s3cr3t", "--json")
    data = json.loads(out)
    assert code == 0 and data["valid"] and "6 bytes" in data["keyWarning"]


def test_verify_pem_and_jwk(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "pub.pem").write_bytes(pem)
    token = jws.mint_jwt(
        {"sub": "x"}, jws.JwtKey("pem", "test key", private), algorithm="ES256"
    ).token
    assert run_cli(capsys, "verify", token, "--pem", str(tmp_path / "pub.pem"))[0] == 0
    other = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "k.jwk").write_text(pyjwt.algorithms.ECAlgorithm.to_jwk(other.public_key()))
    assert run_cli(capsys, "verify", token, "--jwk", str(tmp_path / "k.jwk"))[0] == 1


def test_verify_token_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "token-request", "--key", KEY, "--capability", '{"*": ["*"]}', "--json"
    )
    data = json.loads(out)
    assert run_cli(capsys, "verify", json.dumps(data), "--key", KEY)[0] == 0
    data["capability"] = '{"*":["*"]}'
    code, out, _ = run_cli(capsys, "verify", json.dumps(data), "--key", KEY)
    assert code == 1 and "ably-python" in out  # explains which bytes were signed


def test_verify_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "verify", GOLDEN)[0] == 2
    assert run_cli(capsys, "verify", GOLDEN, "--key", KEY, "--secret", "x")[0] == 2
    assert run_cli(capsys, "verify", "not-a-jwt", "--secret", "x")[0] == 2


def test_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("inspect", "token-request", "jwt", "verify"):
        code, out, _ = run_cli(capsys, command, "--help")
        assert code == 0 and "exit codes" in out and "usage error" in out


def test_python_m_tokenlab_subprocess() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("TOKENLAB_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "tokenlab", "inspect", "--json", FRESH, "-"],
        input=f"Authorization: Bearer {GOLDEN}",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["kind"] == "ably_jwt"
