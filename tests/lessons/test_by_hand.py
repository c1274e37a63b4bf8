"""Steps done by hand on the shared connection manager tick the lesson, whoever acted: a
connect, a publish (its ACK, or its NACK's code; the latest try counts) and authorize() read
from observed events; a connection made by hand under the step's name is the lesson's, and
reset closes it."""

from __future__ import annotations

import asyncio

from tokenlab.core.errors import UserError
from tokenlab.lessons.env import LessonEnv, embedded_env
from tokenlab.lessons.loader import parse_lesson
from tokenlab.lessons.runner import LessonRun, Progress, StepDone
from tokenlab.realtime import ClientOptions, IssuerAuth

LESSON = """
id = "hand"
title = "Done by hand"
theme = "Test"
concepts = ["token-clientid"]
explanation = "Anyone may do the steps."
[predict]
question = "?"
choices = ["a", "b"]
answer = 0
[[steps]]
title = "Alice connects"
action = "connect"
connection = "alice"
auth = "token_request"
client_id = "alice"
[steps.expect]
outcome = "ok"
state = "connected"
client_id = "alice"
[[steps]]
title = "Alice publishes on 'lobby'"
action = "publish"
connection = "alice"
channel = "lobby"
[steps.expect]
outcome = "ok"
message_client_id = "alice"
[[steps]]
title = "Alice publishes on 'locked', which her token may not"
action = "publish"
connection = "alice"
channel = "locked"
[steps.expect]
outcome = "error"
error_code = 40160
[[steps]]
title = "Alice's token is re-issued"
action = "authorize"
connection = "alice"
[steps.expect]
outcome = "ok"
"""


async def _watched(run: LessonRun, index: int) -> asyncio.Task[list[Progress]]:
    async def collect() -> list[Progress]:
        return [item async for item in run.watch_step(index)]

    task = asyncio.create_task(collect())
    while run.watching != index and not task.done():
        await asyncio.sleep(0)
    assert not task.done()
    return task


async def _done(task: asyncio.Task[list[Progress]]) -> StepDone:
    async with asyncio.timeout(30):
        items = await task
    done = items[-1]
    assert isinstance(done, StepDone)
    return done


def _alice(env: LessonEnv) -> ClientOptions:
    key = env.key("full")
    auth = IssuerAuth(key, "token_request", "alice", '{"lobby":["*"]}', None)
    return ClientOptions(endpoint=env.endpoint, auth=auth)


async def test_connection_actions_done_by_hand_tick_their_steps() -> None:
    lesson = parse_lesson(LESSON, "hand.toml")
    async with embedded_env() as env:
        run = LessonRun(lesson, env)
        assert all(run.watchable(i) for i in range(4))
        task = await _watched(run, 0)
        conn = env.manager.add("alice", _alice(env))  # e.g. the Live tab's Connect
        assert (await _done(task)).ok
        assert run.next_index == 1

        task = await _watched(run, 1)
        lobby = conn.channels.get("lobby")
        await lobby.attach()
        try:  # a first try as someone else is refused (40012): the step waits for another
            await lobby.publish("greeting", "hi", client_id="mallory")
        except UserError as exc:
            assert exc.ably_code == 40012
        for _ in range(50):
            await asyncio.sleep(0)
        assert not task.done()
        await lobby.publish("greeting", "hi")  # the Live tab's channel panel
        done = await _done(task)
        assert done.ok and [c.observed for c in done.checks] == ["ok", "alice"]

        task = await _watched(run, 2)
        try:
            await conn.channels.get("locked").publish("greeting", "hi")
        except UserError as exc:
            assert exc.ably_code == 40160
        done = await _done(task)
        assert done.ok, done.checks
        assert done.checks[0].observed.startswith("error 40160")

        task = await _watched(run, 3)
        await conn.authorize()
        assert (await _done(task)).ok and run.ok

        await run.close()  # reset: the connection made by hand under the step's name goes too
        assert "alice" not in env.manager


async def test_a_publish_on_another_connection_does_not_tick() -> None:
    lesson = parse_lesson(LESSON, "hand.toml")
    async with embedded_env() as env:
        run = LessonRun(lesson, env)
        [item async for item in run.run_step(0)]
        other = env.manager.add("bob", _alice(env))
        task = await _watched(run, 1)
        lobby = other.channels.get("lobby")
        await lobby.attach()
        await lobby.publish("greeting", "hi")  # acknowledged: its events were all emitted
        for _ in range(50):  # give the watch every chance to (wrongly) tick on Bob's publish
            await asyncio.sleep(0)
        assert not task.done() and 1 not in run.done
        alice = env.manager.get("alice").channels.get("lobby")
        await alice.attach()
        await alice.publish("greeting", "hi")
        done = await _done(task)
        assert done.ok and done.checks[1].observed == "alice"  # Bob's echo was Bob's
        await run.close()
