"""The clientId outcome of each identity case (RSA7, RSA15, TD6), against the real sandbox."""

from __future__ import annotations

import asyncio

import pytest

from tests.realtime.conftest import Recorder, connected, options
from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenDetails, TokenParams
from tokenlab.realtime import AuthCallbackAuth, Connection, IssuerAuth, KeyAuth, TokenAuth
from tokenlab.realtime.events import ClientIdResolved, MessageReceived
from tokenlab.sandbox import Sandbox


def _resolved(rec: Recorder) -> list[tuple[str | None, str, str]]:
    return [(b.client_id, b.status, b.source) for b in rec.bodies(ClientIdResolved)]


async def test_basic_auth_claiming_a_client_id(sandbox: Sandbox) -> None:
    conn = Connection("a", options(sandbox, KeyAuth(sandbox.demo_keys["full"]), client_id="alice"))
    rec = Recorder(conn.stream)
    await connected(conn)
    assert conn.client_id == "alice" and conn.identity == "identified"
    assert _resolved(rec) == [("alice", "assigned", "options"), ("alice", "confirmed", "connected")]
    channel = conn.channels.get("room")
    await channel.attach()
    await channel.presence.enter("hi")
    members = await channel.presence.get()
    assert [m.client_id for m in members] == ["alice"]
    await conn.close()


async def test_token_issued_for_a_client_id(sandbox: Sandbox) -> None:
    auth = IssuerAuth(sandbox.demo_keys["full"], kind="token", client_id="bob")
    conn = Connection("b", options(sandbox, auth))
    rec = Recorder(conn.stream)
    await connected(conn)
    assert conn.client_id == "bob"
    assert _resolved(rec) == [
        ("bob", "assigned", "auth_callback"),
        ("bob", "confirmed", "connected"),
    ]
    channel = conn.channels.get("room")
    got: list[MessageReceived] = []
    channel.subscribe(got.append)
    await channel.attach()
    await channel.publish("greeting", {"x": 1})
    with pytest.raises(AblyError) as info:  # an identified client cannot publish as another
        await channel.publish("spoof", "x", client_id="mallory")
    assert info.value.ably_code == 40012
    await rec.wait_body(MessageReceived, lambda m: m.name == "greeting")
    assert got[0].client_id == "bob" and got[0].data == {"x": 1}
    await conn.close()


async def test_wildcard_token_plus_client_id_option(sandbox: Sandbox) -> None:
    auth = IssuerAuth(sandbox.demo_keys["full"], kind="token", client_id="*")
    conn = Connection("w", options(sandbox, auth, client_id="carol"))
    await connected(conn)
    assert conn.client_id == "carol" and conn.identity == "identified"
    channel = conn.channels.get("room")
    await channel.presence.enter()
    assert [m.client_id for m in await channel.presence.get()] == ["carol"]
    await conn.close()
    # Without an option the wildcard token has no identity of its own.
    anon = Connection("w2", options(sandbox, auth))
    await connected(anon)
    assert anon.client_id == "*" and anon.identity == "wildcard"
    await anon.channels.get("room").attach()
    await anon.channels.get("room").publish("as-anyone", "x", client_id="zed")  # allowed
    await anon.close()


async def test_token_without_client_id_is_unidentified(sandbox: Sandbox) -> None:
    auth = IssuerAuth(sandbox.demo_keys["full"], kind="token")
    conn = Connection("u", options(sandbox, auth))
    await connected(conn)
    assert conn.client_id is None and conn.identity == "unidentified"
    channel = conn.channels.get("room")
    with pytest.raises(AblyError) as local:
        await channel.presence.enter()
    assert local.value.ably_code == 91000  # refused client-side, like the SDKs (RTP8j)
    await conn.close()
    raw = Connection("u2", options(sandbox, auth, client_side_checks=False))
    await connected(raw)
    with pytest.raises(AblyError) as nack:  # the server's NACK, seen on the wire
        await raw.channels.get("room").presence.enter()
    assert nack.value.ably_code in (91000, 40012)
    with pytest.raises(AblyError) as pub:  # a token without clientId may not claim one
        await raw.channels.get("room").publish("x", "y", client_id="someone")
    assert pub.value.ably_code == 40012
    assert raw.state == "connected"
    await raw.close()


async def test_opaque_token_client_id_learnt_from_connected(sandbox: Sandbox) -> None:
    details = sandbox.issue_token(sandbox.demo_keys["full"].name, client_id="dave")
    conn = Connection("o", options(sandbox, TokenAuth(token=details.token)))
    rec = Recorder(conn.stream)
    assert conn.client_id is None
    await connected(conn)
    assert conn.client_id == "dave"
    assert _resolved(rec) == [("dave", "assigned", "connected")]
    await conn.close()


async def test_auth_callback_reveals_client_id_only_when_it_returns(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["full"]
    gate = asyncio.Event()

    async def callback(params: TokenParams) -> TokenDetails:
        await gate.wait()
        return sandbox.issue_token(key.name, client_id="erin")

    conn = Connection("cb", options(sandbox, AuthCallbackAuth(callback)))
    rec = Recorder(conn.stream)
    conn.connect()
    await asyncio.sleep(0.05)
    assert conn.client_id is None and conn.state == "connecting"
    gate.set()
    first = await rec.wait_body(ClientIdResolved)
    assert (first.client_id, first.source) == ("erin", "auth_callback")
    await conn.wait_for_state("connected", timeout_ms=30_000)
    assert _resolved(rec)[-1] == ("erin", "confirmed", "connected")
    await conn.close()


async def test_client_id_is_immutable(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["full"]
    names = iter(["frank", "not-frank"])

    def callback(params: TokenParams) -> TokenDetails:
        return sandbox.issue_token(key.name, client_id=next(names))

    conn = Connection("imm", options(sandbox, AuthCallbackAuth(callback)))
    await connected(conn)
    assert conn.client_id == "frank"
    with pytest.raises(AblyError) as info:
        await conn.authorize()
    assert info.value.ably_code == 40102
    await conn.wait_for_state("failed", timeout_ms=30_000)
    assert conn.error_reason is not None and conn.error_reason.code == 40102
    assert conn.client_id == "frank"
    await conn.close()


async def test_opaque_token_for_another_client_is_refused_by_the_server(
    sandbox: Sandbox,
) -> None:
    key = sandbox.demo_keys["full"]
    tokens = iter([sandbox.issue_token(key.name, client_id=c).token for c in ("gina", "hal")])
    conn = Connection("srv", options(sandbox, AuthCallbackAuth(lambda p: next(tokens))))
    await connected(conn)
    with pytest.raises(AblyError):
        await conn.authorize()
    await conn.wait_for_state("failed", timeout_ms=30_000)
    assert conn.error_reason is not None and conn.error_reason.code == 40102
    await conn.close()
