"""Refusals the client raises itself are events with their Ably code (RTL6g, RTP8j, RTN7,
RTC8): they reach the stream, the NDJSON export and the Markdown report."""

from __future__ import annotations

import json

import pytest

from tests.realtime.conftest import Recorder, connected, options
from tokenlab.core.errors import AblyError
from tokenlab.realtime import Connection, IssuerAuth
from tokenlab.realtime.events import ClientIdResolved, ClientRefusal
from tokenlab.realtime.export import to_markdown, to_ndjson
from tokenlab.sandbox import Sandbox


def _issuer(sb: Sandbox, client_id: str | None) -> IssuerAuth:
    return IssuerAuth(sb.demo_keys["full"], kind="token_request", client_id=client_id)


async def _refused(rec: Recorder, code: int) -> ClientRefusal:
    body = await rec.wait_body(ClientRefusal, lambda b: b.error.code == code)
    exported = [json.loads(line) for line in to_ndjson(rec.events).splitlines()]
    rows = [row for row in exported if row["kind"] == "client_refusal"]
    assert rows and rows[-1]["code"] == code and rows[-1]["severity"] == "error"
    assert f"{code}" in to_markdown(rec.events)
    return body


async def test_publish_as_another_client_id_is_40012(sandbox: Sandbox) -> None:
    conn = await connected(Connection("Alice", options(sandbox, _issuer(sandbox, "alice"))))
    rec = Recorder(conn.stream)
    with pytest.raises(AblyError) as info:
        await conn.channels.get("chat").publish("x", "hi", client_id="mallory")
    assert info.value.ably_code == 40012
    body = await _refused(rec, 40012)
    assert (body.operation, body.channel, body.client_id) == ("publish", "chat", "mallory")
    await conn.close()


async def test_presence_as_another_client_id_is_40012(sandbox: Sandbox) -> None:
    conn = await connected(Connection("Alice", options(sandbox, _issuer(sandbox, "alice"))))
    rec = Recorder(conn.stream)
    with pytest.raises(AblyError):
        await conn.channels.get("chat").presence.enter(client_id="mallory")
    assert (await _refused(rec, 40012)).operation == "presence"
    await conn.close()


async def test_presence_without_a_client_id_is_91000(sandbox: Sandbox) -> None:
    conn = Connection("Anonymous", options(sandbox, _issuer(sandbox, None)))
    rec = Recorder(conn.stream)
    await connected(conn)
    unidentified = await rec.wait_body(ClientIdResolved)
    assert unidentified.client_id is None and unidentified.identity == "unidentified"
    with pytest.raises(AblyError):
        await conn.channels.get("chat").presence.enter()
    assert (await _refused(rec, 91000)).operation == "presence"
    await conn.close()


async def test_operations_on_a_closed_connection_are_refused(sandbox: Sandbox) -> None:
    conn = await connected(Connection("Alice", options(sandbox, _issuer(sandbox, "alice"))))
    rec = Recorder(conn.stream)
    channel = conn.channels.get("chat")
    await conn.close()
    with pytest.raises(AblyError):
        await channel.publish("x", "late")
    body = await _refused(rec, 80017)
    assert (body.operation, body.channel) == ("publish", "chat")
    with pytest.raises(AblyError):
        await channel.attach()
    await rec.wait_body(ClientRefusal, lambda b: b.operation == "attach")


async def test_authorize_to_another_client_id_is_40102(sandbox: Sandbox) -> None:
    conn = await connected(Connection("Alice", options(sandbox, _issuer(sandbox, "alice"))))
    rec = Recorder(conn.stream)
    with pytest.raises(AblyError) as info:
        await conn.authorize(auth=_issuer(sandbox, "bob"))
    assert info.value.ably_code == 40102
    body = await _refused(rec, 40102)
    assert (body.operation, body.client_id) == ("authorize", "bob")
    await conn.close()
