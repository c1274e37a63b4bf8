"""Running a lesson: each step's action, then its expectations awaited as conditions.

``LessonRun`` is the one runner the CLI and the GUI share. ``run_step(i)`` and ``run_all()``
are async iterators of ``Progress`` items, yielded as things happen: the step started, each
expectation met or failed (with what was observed), the step done. An expectation is awaited
until it holds or its step's timeout passes; nothing sleeps for a fixed time. ``reset()``
closes the lesson's connections and puts back the sandbox settings it changed.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from tokenlab.core.errors import UserError
from tokenlab.lessons.actions import ACTIONS, RunState
from tokenlab.lessons.env import LessonEnv
from tokenlab.lessons.model import Expectation, Lesson, Step
from tokenlab.lessons.observe import ActionResult, Context, Observer, check

POLL_S = 0.25  # re-check conditions that change without an event (rare) this often


@dataclass(frozen=True)
class Check:
    expectation: Expectation
    met: bool
    observed: str


@dataclass(frozen=True)
class StepStarted:
    index: int
    step: Step


@dataclass(frozen=True)
class CheckDone:
    index: int
    check: Check


@dataclass(frozen=True)
class StepDone:
    index: int
    ok: bool
    checks: tuple[Check, ...]
    result: ActionResult
    elapsed_ms: float


Progress = StepStarted | CheckDone | StepDone


class LessonRun:
    """One lesson being run on an environment. Use inside a running event loop."""

    def __init__(self, lesson: Lesson, env: LessonEnv) -> None:
        self.lesson = lesson
        self.env = env
        self.state = RunState(env)
        self.observer = Observer(env.manager)
        self.observer.start(env.sandbox.subscribe)
        self.done: dict[int, StepDone] = {}

    @property
    def next_index(self) -> int:
        """The first step not yet run (len(steps) when all have run)."""
        return next(
            (i for i in range(len(self.lesson.steps)) if i not in self.done), len(self.lesson.steps)
        )

    @property
    def ok(self) -> bool:
        steps = self.lesson.steps
        return len(self.done) == len(steps) and all(d.ok for d in self.done.values())

    async def run_all(self) -> AsyncIterator[Progress]:
        for index in range(self.next_index, len(self.lesson.steps)):
            async for item in self.run_step(index):
                yield item

    async def run_step(self, index: int) -> AsyncIterator[Progress]:
        step = self.lesson.steps[index]
        started = time.monotonic()
        yield StepStarted(index, step)
        mark = self.observer.mark()
        result = await self._act(step)
        ctx = Context(self.observer, mark, step.connection, result)
        pending = list(enumerate(step.expectations))
        checks: dict[int, Check] = {}
        deadline = started + step.timeout_ms / 1000
        while pending:
            for n, exp in list(pending):
                met, seen = check(exp, ctx)
                if met:
                    pending.remove((n, exp))
                    checks[n] = Check(exp, True, seen)
                    yield CheckDone(index, checks[n])
            left = deadline - time.monotonic()
            if not pending or left <= 0:
                break
            await self.observer.changed(min(left, POLL_S))
        for n, exp in pending:
            checks[n] = Check(exp, False, check(exp, ctx)[1])
            yield CheckDone(index, checks[n])
        ordered = tuple(checks[n] for n in range(len(step.expectations)))
        done = StepDone(
            index,
            all(c.met for c in ordered),
            ordered,
            result,
            (time.monotonic() - started) * 1000,
        )
        self.done[index] = done
        yield done

    async def _act(self, step: Step) -> ActionResult:
        try:
            return await ACTIONS[step.action](self.state, step.params)
        except UserError as exc:
            return ActionResult(ok=False, error_code=exc.ably_code, message=exc.message)

    async def reset(self) -> None:
        """Undo what the lesson set up: its connections, its sandbox settings, its progress."""
        manager = self.env.manager
        for name in self.state.connections:
            if name in manager:
                await manager.remove(name)
            self.observer.forget(name)
        self.state.connections.clear()
        self.state.tokens.clear()
        saved = self.state.saved_settings
        if saved:
            self.env.sandbox.update_settings(
                clock_skew_ms=saved.get("clock_skew_ms"), reauth_lead_ms=saved.get("reauth_lead_ms")
            )
        saved.clear()
        self.done.clear()

    async def close(self) -> None:
        await self.reset()
        self.observer.stop()


async def run_lesson(lesson: Lesson, env: LessonEnv) -> AsyncIterator[Progress]:
    """Run every step of ``lesson`` on ``env`` and clean up after it."""
    run = LessonRun(lesson, env)
    try:
        async for item in run.run_all():
            yield item
    finally:
        await run.close()
