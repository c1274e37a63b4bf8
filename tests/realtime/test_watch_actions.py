"""``tokenlab watch`` actions against the embedded sandbox: each provokes its Ably code, which
shows in the NDJSON output (the same events the Live tab shows)."""

from __future__ import annotations

import argparse
import io
import json
from typing import Any

import pytest

from tokenlab.commands import watch
from tokenlab.core.errors import UserError


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tokenlab")
    watch.register(parser.add_subparsers())
    return parser.parse_args(["watch", "--json", *argv])


async def _run(*argv: str) -> tuple[int, list[dict[str, Any]]]:
    out = io.StringIO()
    code = await watch.watch(_args(*argv), out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def _codes(rows: list[dict[str, Any]], kind: str) -> list[int]:
    return [row["code"] for row in rows if row["kind"] == kind and "code" in row]


async def test_publish_as_another_client_id_is_a_client_side_40012() -> None:
    code, rows = await _run("--issuer-client-id", "bob", "--publish", "chat:hi",
                            "--publish-as", "mallory")  # fmt: skip
    assert code == 0
    assert _codes(rows, "client_refusal") == [40012]
    refusal = next(r for r in rows if r["kind"] == "client_refusal")
    assert refusal["severity"] == "error" and refusal["client_id"] == "mallory"
    assert refusal["help"] == "https://help.ably.io/error/40012"
    assert rows[-1]["kind"] == "state_changed" and rows[-1]["current"] == "closed"


async def test_anonymous_enter_is_91000_and_the_client_id_says_unidentified() -> None:
    code, rows = await _run("--enter", "chat")
    assert code == 0
    ids = [r for r in rows if r["kind"] == "client_id"]
    assert ids and ids[-1]["identity"] == "unidentified" and "unidentified" in ids[-1]["summary"]
    assert _codes(rows, "client_refusal") == [91000]


async def test_publish_without_the_capability_is_nacked_with_40160() -> None:
    code, rows = await _run("--issuer-client-id", "reader", "--issuer-capability",
                            '{"*":["subscribe"]}', "--publish", "chat:hi")  # fmt: skip
    assert code == 0
    assert 40160 in _codes(rows, "frame_received")  # the server's NACK
    assert not _codes(rows, "client_refusal")


async def test_authorize_to_another_client_id_is_40102_and_fails_the_connection() -> None:
    code, rows = await _run("--issuer-client-id", "alice", "--authorize-after", "0",
                            "--authorize-client-id", "bob")  # fmt: skip
    assert code == 1  # 40102 is fatal (RSA15c)
    assert _codes(rows, "client_refusal") == [40102]
    assert 40102 in _codes(rows, "renewal_failed")
    assert "failed" in [r["current"] for r in rows if r["kind"] == "state_changed"]


async def test_drop_then_authorize_a_narrower_capability() -> None:
    code, rows = await _run("--issuer-client-id", "alice", "--drop-after", "0",
                            "--authorize-after", "0", "--authorize-capability",
                            '{"chat":["subscribe"]}', "--publish", "chat:before")  # fmt: skip
    assert code == 0
    states = [r["current"] for r in rows if r["kind"] == "state_changed"]
    assert "disconnected" in states and states.count("connected") >= 2
    renewals = [r for r in rows if r["kind"] == "renewal_succeeded"]
    assert renewals and renewals[-1]["trigger"] == "authorize"


def test_malformed_action_flags_are_user_errors() -> None:
    with pytest.raises(UserError, match="CHANNEL:DATA"):
        watch.watch_actions.actions_from_args(_args("--publish", "nochannel"))
    with pytest.raises(UserError):
        watch.watch_actions.actions_from_args(_args("--authorize-capability", "{not json"))
