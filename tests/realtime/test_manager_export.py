"""Several named connections through the manager, and the redacted session exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.realtime.conftest import connected, options
from tokenlab.core.errors import UserError
from tokenlab.realtime import (
    ConnectionManager,
    IssuerAuth,
    KeyAuth,
    to_markdown,
    to_ndjson,
    write_markdown,
    write_ndjson,
)
from tokenlab.realtime.events import MessageReceived, TokenObtained
from tokenlab.sandbox import Sandbox


async def test_manager_runs_named_connections_side_by_side(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    key = sandbox.demo_keys["full"]
    async with ConnectionManager() as manager:
        alice = manager.add(
            "Alice", options(sandbox, IssuerAuth(key, kind="jwt", client_id="alice"))
        )
        bob = manager.add(
            "Bob", options(sandbox, IssuerAuth(key, kind="token_request", client_id="*"))
        )
        anon = manager.add("anon", options(sandbox, KeyAuth(key), format="msgpack"))
        with pytest.raises(UserError):
            manager.add("Alice", options(sandbox, KeyAuth(key)))
        for conn in manager:
            await conn.wait_for_state("connected", timeout_ms=30_000)
        assert manager.names() == ["Alice", "Bob", "anon"] and len(manager) == 3
        assert (alice.client_id, bob.client_id, anon.client_id) == ("alice", "*", None)
        for conn in (alice, bob, anon):
            await conn.channels.get("lobby").attach()
        await bob.channels.get("lobby").publish("hello", b"\x00\x01", client_id="bobby")
        await alice.channels.get("lobby").publish("hi", {"n": 1})
        await anon.ping()
        history = manager.events.history()
        assert {e.connection for e in history} == {"Alice", "Bob", "anon"}
        assert [e.seq for e in history] == list(range(1, len(history) + 1))
        await manager.remove("Bob")
        assert "Bob" not in manager and bob.state == "closed"
        with pytest.raises(UserError):
            manager.get("Bob")

        events = manager.events.history()
        secret = key.secret
        jwt_sigs = [
            b.token.rsplit(".", 1)[1]
            for e in events
            if isinstance(b := e.body, TokenObtained) and b.token_kind == "jwt"
        ]
        conn_keys = [c.connection_key for c in (alice, anon) if c.connection_key]
        macs = [
            b.token_request["mac"]
            for e in events
            if isinstance(b := e.body, TokenObtained) and b.token_request
        ]
        ndjson = to_ndjson(events)
        markdown = to_markdown(events)
        for text in (ndjson, markdown):
            assert secret not in text
            assert jwt_sigs and all(sig not in text for sig in jwt_sigs)
            assert conn_keys and all(ck not in text for ck in conn_keys)
            assert macs and all(mac not in text for mac in macs)
        objs = [json.loads(line) for line in ndjson.splitlines()]
        assert [o["seq"] for o in objs] == [e.seq for e in events]
        assert any(
            o["kind"] == "token_obtained"
            and o["token_request"]
            and o["token_request"]["mac"] == "••••"
            for o in objs
        )
        assert any(o["kind"] == "token_obtained" and o["token_kind"] == "jwt" for o in objs)
        assert any(
            o["kind"] == "frame_received" and isinstance(o["raw"], dict) for o in objs
        )  # msgpack frames exported as a byte count, not bytes
        got = [
            e.body for e in events if isinstance(e.body, MessageReceived) and e.connection == "anon"
        ]
        assert {(m.name, m.client_id) for m in got} >= {("hello", "bobby"), ("hi", "alice")}
        assert {m.name: m.data for m in got}["hello"] == b"\x00\x01"
        assert "## Connection `Alice`" in markdown and "clientId: 'alice'" in markdown
        assert write_ndjson(events, str(tmp_path / "s.ndjson")) == len(events)
        write_markdown(events, str(tmp_path / "s.md"))
        assert secret not in (tmp_path / "s.md").read_text(encoding="utf-8")


async def test_issuer_mac_is_redacted_in_exports(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["full"]
    async with ConnectionManager() as manager:
        conn = manager.add("tr", options(sandbox, IssuerAuth(key)))
        await connected(conn)
        ndjson = to_ndjson(manager.events.history())
        assert key.secret not in ndjson
        assert "connectionKey" in ndjson and conn.connection_key not in ndjson
