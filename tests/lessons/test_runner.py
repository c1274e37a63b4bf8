"""The runner reports a failed expectation (with what it saw) rather than passing it, and
``reset`` puts back what a lesson changed."""

from __future__ import annotations

from tokenlab.lessons.env import embedded_env
from tokenlab.lessons.loader import parse_lesson
from tokenlab.lessons.runner import CheckDone, LessonRun, StepDone

WRONG = """
id = "wrong"
title = "A lesson whose expectation is wrong"
theme = "Test"
concepts = ["token-clientid"]
explanation = "Alice is not Bob."
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
timeout_ms = 1500
[steps.expect]
state = "connected"
client_id = "bob"
[[steps]]
title = "Skew the clock"
action = "set_clock_skew"
skew_ms = 5000
"""


async def test_a_wrong_expectation_fails_with_what_was_seen() -> None:
    lesson = parse_lesson(WRONG, "wrong.toml")
    async with embedded_env() as env:
        run = LessonRun(lesson, env)
        items = [item async for item in run.run_step(0)]
        checks = {i.check.expectation.name: i.check for i in items if isinstance(i, CheckDone)}
        assert checks["state"].met
        assert not checks["client_id"].met
        assert checks["client_id"].observed == "alice"
        done = items[-1]
        assert isinstance(done, StepDone) and not done.ok
        assert run.next_index == 1 and not run.ok
        [item async for item in run.run_step(1)]
        assert env.sandbox.settings.clock_skew_ms == 5000
        await run.reset()
        assert env.sandbox.settings.clock_skew_ms == 0
        assert "alice" not in env.manager
        assert run.next_index == 0
        await run.close()


async def test_a_step_done_by_hand_ticks_without_running_it() -> None:
    from tokenlab.lessons.loader import load_all

    lesson = load_all(include_user=False).get("revocation")
    async with embedded_env() as env:
        run = LessonRun(lesson, env)
        assert [item async for item in run.run_step(0)][-1].ok  # type: ignore[union-attr]
        assert run.watchable(1) and not run.watchable(0) and not run.watchable(5)
        items: list[object] = []

        async def watch() -> None:
            items.extend([item async for item in run.watch_step(1)])

        import asyncio

        task = asyncio.create_task(watch())
        while run.watching != 1 and not task.done():
            await asyncio.sleep(0)
        assert not task.done()
        # the instructor revokes Oscar from the Sandbox tab, not through the lesson
        key = env.sandbox.demo_keys["revocable"]
        env.sandbox.revoke_client_id(key.name, "oscar")
        async with asyncio.timeout(30):
            await task
        done = items[-1]
        assert isinstance(done, StepDone) and done.ok
        assert run.next_index == 2
        await run.close()


DROP_AND_LEAD = """
id = "drop"
title = "Network drop and reauth lead"
theme = "Test"
concepts = ["auto-renewal"]
explanation = "A dropped socket resumes the same connection; the reauth lead moves renewal."
[predict]
question = "?"
choices = ["a", "b"]
answer = 0
[[steps]]
title = "Renew 2.5 s before expiry"
action = "set_reauth_lead"
lead_ms = 2500
[[steps]]
title = "Connect with 3-second tokens"
action = "connect"
connection = "dee"
auth = "token_request"
client_id = "dee"
ttl_ms = 3000
[steps.expect]
state = "connected"
[[steps]]
title = "Drop the network"
action = "drop_network"
connection = "dee"
[steps.expect]
event = "state_changed"
[[steps]]
title = "Back on the same connection, renewed early"
action = "wait"
connection = "dee"
[steps.expect]
state = "connected"
same_connection = true
renewals = 1
"""


async def test_drop_network_resumes_and_reauth_lead_applies() -> None:
    lesson = parse_lesson(DROP_AND_LEAD, "drop.toml")
    async with embedded_env() as env:
        run = LessonRun(lesson, env)
        items = [item async for item in run.run_all()]
        failures = [i.check for i in items if isinstance(i, CheckDone) and not i.check.met]
        assert failures == []
        assert env.sandbox.settings.reauth_lead_ms == 2500
        await run.close()
        assert env.sandbox.settings.reauth_lead_ms == 30_000


def test_observer_stays_bounded_and_marks_survive_trimming() -> None:
    from tokenlab.lessons.observe import KEEP_EVENTS, Observer
    from tokenlab.realtime import ConnectionManager
    from tokenlab.sandbox.config import SandboxEvent

    observer = Observer(ConnectionManager())
    for n in range(KEEP_EVENTS):
        observer._on_sandbox(SandboxEvent("token.issued", n, "old"))
    mark = observer.mark()
    for n in range(KEEP_EVENTS // 2 + 5):
        observer._on_sandbox(SandboxEvent("auth.server", n, "new"))
    assert len(observer.sandbox) <= KEEP_EVENTS
    since = observer.sandbox_since(mark)
    assert len(since) == KEEP_EVENTS // 2 + 5
    assert all(e.kind == "auth.server" for e in since)
