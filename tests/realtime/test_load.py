"""No event is lost: sequence numbers stay contiguous under load, and a reader that cannot
keep up is told exactly what it missed."""

from __future__ import annotations

import asyncio

from tests.realtime.conftest import connected, options
from tokenlab.realtime import ConnectionManager, KeyAuth
from tokenlab.realtime.events import Event, EventsDropped, MessageReceived
from tokenlab.sandbox import Sandbox

MESSAGES = 300


async def test_sequence_numbers_contiguous_under_load(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["full"]
    async with ConnectionManager(capacity=50_000) as manager:
        full = manager.events.subscribe()
        slow = manager.events.subscribe(max_lag=100)
        callback_seen: list[int] = []
        manager.events.add_listener(lambda e: callback_seen.append(e.seq))
        pubs = [
            manager.add(f"pub{i}", options(sandbox, KeyAuth(key), client_id=f"p{i}"), connect=False)
            for i in range(3)
        ]
        sub = manager.add("sub", options(sandbox, KeyAuth(key), client_id="s"), connect=False)
        await asyncio.gather(*(connected(c) for c in [*pubs, sub]))
        await sub.channels.get("load").attach()
        await asyncio.gather(*(p.channels.get("load").attach() for p in pubs))

        async def publish(conn_index: int) -> None:
            channel = pubs[conn_index].channels.get("load")
            await asyncio.gather(
                *(channel.publish("m", str(n)) for n in range(MESSAGES // len(pubs)))
            )

        await asyncio.gather(*(publish(i) for i in range(len(pubs))))
        received: list[Event] = []
        async with asyncio.timeout(60):
            while (
                sum(isinstance(e.body, MessageReceived) and e.connection == "sub" for e in received)
                < MESSAGES
            ):
                received.append(await full.get())
        received.extend(full.drain())
        seqs = [e.seq for e in received]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
        assert callback_seen == list(range(1, len(callback_seen) + 1))
        for name in manager.names():
            per_conn = [e.conn_seq for e in manager.events.history(connection=name)]
            assert per_conn == list(range(1, len(per_conn) + 1))

        got = slow.drain()
        markers = [e.body for e in got if isinstance(e.body, EventsDropped)]
        delivered = [e for e in got if not isinstance(e.body, EventsDropped)]
        assert markers and sum(m.count for m in markers) + len(delivered) == len(callback_seen)
        assert slow.dropped == sum(m.count for m in markers)
        assert manager.events.stats().dropped >= slow.dropped
