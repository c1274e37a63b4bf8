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
