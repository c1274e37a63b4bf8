"""The CLI twins that talk to a server: request-token, revoke, auth-url, sandbox --clock-skew.

The commands run their own event loop, so they are called on a worker thread while the
sandbox serves on the test's loop."""

from __future__ import annotations

import asyncio
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.conftest import FakeClock, config
from tokenlab.cli import main
from tokenlab.commands import sandbox as sandbox_command
from tokenlab.core.tokens import TokenParams, create_token_request
from tokenlab.sandbox import Sandbox


async def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKENLAB_KEY", raising=False)


async def test_request_token_with_a_key_and_with_a_request(
    sb: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    key = sb.demo_keys["full"]
    argv = ["request-token", "--key", key.full(), "--client-id", "alice", "--rest-url"]
    code, out, _ = await _cli(capsys, *argv, sb.rest_url, "--json")
    assert code == 0 and json.loads(out)["clientId"] == "alice"
    request = create_token_request(key, TokenParams(), now_ms=lambda: sb.now_ms() - 600_000)
    code, out, _ = await _cli(capsys, "request-token", request.to_json(), "--rest-url", sb.rest_url)
    assert code == 1 and "40104" in out  # Ably's refusal, with its code


async def test_revoke_prints_what_was_hit(sb: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    key = sb.demo_keys["revocable"]
    argv = ["revoke", "--key", key.full(), "--client-id", "alice", "--channel", "chat:*"]
    code, out, _ = await _cli(capsys, *argv, "--allow-reauth-margin", "--rest-url", sb.rest_url)
    assert code == 0, out
    assert "clientId:alice: revoked" in out and "channel:chat:*: revoked" in out
    code, out, _ = await _cli(
        capsys, "revoke", "--key", sb.demo_keys["full"].full(), "--client-id", "a",
        "--rest-url", sb.rest_url,
    )  # fmt: skip
    assert code == 1 and "refused" in out and "4016" in out
    code, _, err = await _cli(capsys, "revoke", "--key", key.full(), "--rest-url", sb.rest_url)
    assert code == 2 and "Nothing to revoke" in err


async def test_auth_url_twin(sb: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"{sb.rest_url}/auth/jwt"
    code, out, _ = await _cli(
        capsys,
        "auth-url",
        url,
        "--auth-param",
        "clientId=alice",
        "--origin",
        "http://localhost:3000",
    )
    assert code == 0, out
    assert out.startswith("✔ Accepted: a token string.")
    assert "GET " in out and "clientId=alice" in out and "browser (CORS)" in out
    code, out, _ = await _cli(capsys, "auth-url", url, "--json")
    assert json.loads(out)["received"]["echo"]["method"] == "GET"


async def test_sandbox_clock_skew(tmp_path: Path) -> None:
    parser_args = sandbox_command_args("--db", str(tmp_path / "s.sqlite3"), "--json",
                                       "--clock-skew", "600000")  # fmt: skip
    out, stop = io.StringIO(), asyncio.Event()
    task = asyncio.create_task(sandbox_command.serve(parser_args, out, io.StringIO(), stop))
    try:
        await asyncio.wait_for(_until(lambda: bool(out.getvalue())), 10)
        banner = json.loads(out.getvalue().splitlines()[0])
        assert banner["clock_skew_ms"] == 600_000
        import httpx

        async with httpx.AsyncClient() as http:
            server = (await http.get(banner["rest_url"] + "/time")).json()[0]
        assert server - time.time() * 1000 > 300_000  # about 10 min ahead
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0


def sandbox_command_args(*argv: str) -> Any:
    import argparse

    parser = argparse.ArgumentParser()
    sandbox_command.register(parser.add_subparsers())
    return parser.parse_args(["sandbox", *argv])


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def test_inspect_reads_the_sandbox_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.sqlite3"
    async with Sandbox(config(FakeClock(), db_path=str(db))) as sandbox:
        key = sandbox.demo_keys["chat"]
        details = sandbox.issue_token(key.name, client_id="dora")
        code, out, _ = await _cli(capsys, "inspect", details.token, "--sandbox-db", str(db))
    assert code == 0, out
    assert "issued by the embedded sandbox" in out and "dora" in out
    code, _, err = await _cli(capsys, "inspect", details.token, "--sandbox-db", str(tmp_path / "x"))
    assert code == 2 and "No sandbox store" in err
