"""Each part of a connection on its own, against a fake of the narrow interface it uses
(``ConnectionPort``): the pending queue (RTN7, RTN19a), presence (RTP8j, RTP15f), channels
(RTL3, RTL6g), and the state-owning ``ConnectionMachine``."""

from __future__ import annotations

import asyncio

import pytest

from tests.realtime.fakeport import FakePort
from tokenlab.core.errors import AblyError
from tokenlab.core.wire import Action
from tokenlab.realtime.channels import Channels
from tokenlab.realtime.events import ClientIdResolved, StateChanged
from tokenlab.realtime.machine import ConnectionMachine
from tokenlab.realtime.pending import PendingMessages
from tokenlab.realtime.presence import Presence
from tokenlab.realtime.protocol import ErrorInfo

MESSAGE = {"action": Action.MESSAGE, "channel": "chat", "messages": [{"data": "hi"}]}


async def _settled(port: FakePort) -> None:
    while port.tasks:
        await asyncio.gather(*port.tasks)


async def test_pending_sends_in_msg_serial_order_and_settles_on_ack() -> None:
    port = FakePort("alice")
    queue = PendingMessages(port)
    first = asyncio.create_task(queue.send(MESSAGE))
    second = asyncio.create_task(queue.send(MESSAGE))
    await asyncio.sleep(0)
    await _settled(port)
    assert port.transport is not None
    assert [m["msgSerial"] for m in port.transport.sent] == [0, 1]
    queue.on_ack({"msgSerial": 0, "count": 2}, nack=False)
    await asyncio.gather(first, second)
    assert len(queue) == 0


async def test_pending_nack_raises_its_error_and_a_new_connection_renumbers() -> None:
    port = FakePort("alice")
    queue = PendingMessages(port)
    waiting = asyncio.create_task(queue.send(MESSAGE))
    await asyncio.sleep(0)
    await _settled(port)
    port.set_state("disconnected")
    assert queue.serials == [0]  # kept for the resend (RTN19a)
    port.set_state("connected")
    queue.on_connected(resumed=False)  # a new connectionId: msgSerial restarts at 0
    await _settled(port)
    assert port.transport is not None and port.transport.sent[0]["msgSerial"] == 0
    queue.on_ack({"msgSerial": 0, "error": {"code": 40160, "statusCode": 401,
                                           "message": "denied"}}, nack=True)  # fmt: skip
    with pytest.raises(AblyError) as info:
        await waiting
    assert info.value.ably_code == 40160


async def test_pending_fails_with_the_state_and_refuses_while_suspended() -> None:
    port = FakePort("alice", state="connecting")
    queue = PendingMessages(port)
    waiting = asyncio.create_task(queue.send(MESSAGE))
    await asyncio.sleep(0)
    port.set_state("failed", ErrorInfo(40171, 401, "cannot renew"))
    with pytest.raises(AblyError) as info:
        await waiting
    assert info.value.ably_code == 40171  # the failure's reason (RTN7e)
    port.set_state("suspended")
    with pytest.raises(AblyError) as refused:
        await queue.send(MESSAGE)
    assert refused.value.ably_code == 80002
    assert port.refusals() == [("publish", 80002)]


async def test_presence_needs_an_identity_of_its_own() -> None:
    for client_id in (None, "*"):
        port = FakePort(client_id)
        presence = Presence(_FakeChannel(), port)
        with pytest.raises(AblyError) as info:
            await presence.enter()
        assert info.value.ably_code == 91000
        assert port.refusals() == [("presence", 91000)] and not port.acked


async def test_presence_as_another_client_id_is_refused_unless_wildcard() -> None:
    port = FakePort("alice")
    channel = _FakeChannel()
    with pytest.raises(AblyError):
        await Presence(channel, port).enter(client_id="bob")
    assert port.refusals() == [("presence", 40012)]
    wildcard = FakePort("*")
    await Presence(channel, wildcard).enter("hi", client_id="bob")
    assert wildcard.acked[0]["presence"] == [{"action": 2, "data": "hi", "clientId": "bob"}]
    assert channel.attached


async def test_channel_publish_as_another_client_id_is_refused_locally() -> None:
    port = FakePort("alice")
    channel = Channels(port).get("chat")
    with pytest.raises(AblyError):
        await channel.publish("x", "y", client_id="mallory")
    assert port.refusals() == [("publish", 40012)] and not port.acked
    await channel.publish("x", "y")
    assert port.acked[0]["messages"] == [{"name": "x", "data": "y"}]


async def test_channel_attach_and_the_connection_state_rules() -> None:
    port = FakePort("alice")
    channels = Channels(port)
    chat = channels.get("chat")
    attaching = asyncio.create_task(chat.attach())
    await asyncio.sleep(0)
    assert port.transport is not None
    assert port.transport.sent == [{"action": Action.ATTACH, "channel": "chat"}]
    channels.dispatch({"action": Action.ATTACHED, "channel": "chat", "flags": 0})
    await attaching
    assert chat.state == "attached"
    port.set_state("suspended")  # RTL3c: attached channels become suspended
    assert chat.state == "suspended"
    port.set_state("closed")
    with pytest.raises(AblyError):
        await channels.get("other").attach()
    assert port.refusals() == [("attach", 80017)]


def test_machine_owns_the_state_and_tells_listeners() -> None:
    events: list[object] = []
    machine = ConnectionMachine(events.append)
    seen: list[tuple[str, ErrorInfo | None]] = []
    machine.add_state_listener(lambda state, reason: seen.append((state, reason)))
    machine.start("alice")
    outcome = machine.connected({"connectionId": "c1", "connectionDetails": {
        "clientId": "alice", "connectionKey": "k1", "maxIdleInterval": 15000}})  # fmt: skip
    assert (outcome.update, outcome.resumed, outcome.previous_id) == (False, False, None)
    machine.set_state("connected")
    assert (machine.connection_id, machine.connection_key, machine.client_id) == (
        "c1", "k1", "alice",
    )  # fmt: skip
    again = machine.connected({"connectionId": "c1", "connectionDetails": {}})
    assert again.update  # RTN24: a CONNECTED while connected
    machine.update(None)
    lost = ErrorInfo(80003, 400, "lost")
    machine.set_state("disconnected", lost, 0)
    resumed = machine.connected({"connectionId": "c1", "connectionDetails": {"clientId": "alice"}})
    assert resumed.resumed and not resumed.update
    machine.forget_resume()
    assert machine.connection_key is None
    with pytest.raises(AblyError) as info:  # a clientId can never change
        machine.connected({"connectionId": "c2", "connectionDetails": {"clientId": "bob"}})
    assert info.value.ably_code == 40102
    assert [s for s, _ in seen] == ["connecting", "connected", "disconnected"]
    assert seen[-1][1] == lost
    kinds = [type(e).__name__ for e in events]
    assert kinds.count("StateChanged") == 4  # including the update
    assert any(isinstance(e, StateChanged) and e.event == "update" for e in events)
    assert isinstance(events[0], ClientIdResolved)  # the clientId option, before connecting
    machine.set_state("failed", ErrorInfo(40102, 401, "mismatch"))
    machine.start(None)  # RTN11d: a restart after failed forgets the old connection
    assert machine.connection_id is None and machine.client_id is None
    assert machine.error_reason is None and machine.state == "connecting"


class _FakeChannel:
    name = "chat"

    def __init__(self) -> None:
        self.attached = False

    async def attach(self, timeout_ms: int | None = None) -> None:
        self.attached = True


async def test_pings_are_answered_by_id_and_fail_with_the_transport() -> None:
    from tokenlab.realtime.clock import ManualClock
    from tokenlab.realtime.pings import Pings

    clock = ManualClock()
    pings = Pings(clock)
    sent: list[dict[str, object]] = []

    async def send(message: object) -> None:
        sent.append(dict(message))  # type: ignore[call-overload]

    answered = asyncio.create_task(pings.ping(send, 60_000))
    await asyncio.sleep(0)
    assert sent[0]["action"] == Action.HEARTBEAT
    pings.answer({"action": Action.HEARTBEAT, "id": "someone-else"})
    await clock.advance(30)
    assert not answered.done()
    pings.answer({"action": Action.HEARTBEAT, "id": sent[0]["id"]})
    assert await answered == 30  # the round trip, on the injected clock
    lost = asyncio.create_task(pings.ping(send, 60_000))
    await asyncio.sleep(0)
    pings.fail_all(ErrorInfo(80003, 400, "Connection lost"))
    with pytest.raises(AblyError) as info:
        await lost
    assert info.value.ably_code == 80003
    unanswered = asyncio.create_task(pings.ping(send, 5_000))
    await clock.advance(4_999)
    assert not unanswered.done()
    await clock.advance(1)  # never answered: 50003 (RTN13c)
    with pytest.raises(AblyError) as timeout:
        await unanswered
    assert timeout.value.ably_code == 50003


async def test_pending_ack_timeout_runs_on_the_clock_and_only_while_sent() -> None:
    from tokenlab.realtime.clock import ManualClock

    port = FakePort("alice", state="connecting")
    port.clock = clock = ManualClock()
    ms = port.options.timeouts.realtime_request_timeout
    queue = PendingMessages(port)
    waiting = asyncio.create_task(queue.send(MESSAGE))
    await clock.advance(ms * 3)  # queued while not connected: no ACK timeout yet
    assert not waiting.done()
    port.set_state("connected")
    queue.on_connected(resumed=True)
    await _settled(port)
    await clock.advance(ms - 1)
    assert not waiting.done()
    await clock.advance(1)
    with pytest.raises(AblyError) as info:
        await waiting
    assert info.value.ably_code == 50003


async def test_attach_with_no_answer_is_50003_after_the_request_timeout() -> None:
    from tokenlab.realtime.clock import ManualClock

    port = FakePort("alice")
    port.clock = clock = ManualClock()
    channel = Channels(port).get("chat")
    attaching = asyncio.create_task(channel.attach(timeout_ms=4_000))
    await clock.advance(3_999)
    assert not attaching.done()
    assert port.transport is not None
    assert [f["action"] for f in port.transport.sent] == [Action.ATTACH]
    await clock.advance(1)
    with pytest.raises(AblyError) as info:
        await attaching
    assert info.value.ably_code == 50003
