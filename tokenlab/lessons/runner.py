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

ACTION_ONLY = frozenset({"outcome", "token_kind", "token_client_id", "claims_present"})
# Steps someone can do elsewhere (the Sandbox tab, an attendee, the server's own timers).
BY_HAND = frozenset({"revoke", "drop_network", "set_clock_skew", "set_reauth_lead", "wait"})

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
        self.watching: int | None = None  # the step watch_step is observing, if any

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
        """Do the step's action, then await its expectations (each until the step's timeout)."""
        step = self.lesson.steps[index]
        started = time.monotonic()
        yield StepStarted(index, step)
        mark = self.observer.mark()
        result = await self._act(step)
        ctx = Context(self.observer, mark, step.connection, result)
        async for item in self._await_checks(index, ctx, started + step.timeout_ms / 1000):
            yield item
        yield self._finish(index, ctx, started)

    def watchable(self, index: int) -> bool:
        """Can the step be done by hand elsewhere in the app (its expectations are all about
        what can be observed, none about the result of the lesson's own action)?"""
        steps = self.lesson.steps
        if not 0 <= index < len(steps) or not steps[index].expectations:
            return False
        step = steps[index]
        return step.action in BY_HAND and not any(e.name in ACTION_ONLY for e in step.expectations)

    async def watch_step(self, index: int) -> AsyncIterator[Progress]:
        """Do nothing, and tick the step's expectations as someone does the step by hand
        (in another tab, or an attendee); ends when every one is met (cancel to stop)."""
        started = time.monotonic()
        ctx = Context(
            self.observer, self.observer.mark(), self.lesson.steps[index].connection, None
        )
        self.watching = index
        try:
            async for item in self._await_checks(index, ctx, None):
                yield item
        finally:
            self.watching = None
        yield self._finish(index, ctx, started)

    async def _await_checks(
        self, index: int, ctx: Context, deadline: float | None
    ) -> AsyncIterator[Progress]:
        pending = list(enumerate(self.lesson.steps[index].expectations))
        ctx.checks = {}
        while pending:
            for n, exp in list(pending):
                met, seen = check(exp, ctx)
                if met:
                    pending.remove((n, exp))
                    ctx.checks[n] = Check(exp, True, seen)
                    yield CheckDone(index, ctx.checks[n])
            left = POLL_S if deadline is None else deadline - time.monotonic()
            if not pending or left <= 0:
                break
            await self.observer.changed(min(left, POLL_S))
        for n, exp in pending:
            ctx.checks[n] = Check(exp, False, check(exp, ctx)[1])
            yield CheckDone(index, ctx.checks[n])

    def _finish(self, index: int, ctx: Context, started: float) -> StepDone:
        ordered = tuple(ctx.checks[n] for n in range(len(self.lesson.steps[index].expectations)))
        done = StepDone(
            index,
            all(c.met for c in ordered),
            ordered,
            ctx.result or ActionResult(message="done by hand"),
            (time.monotonic() - started) * 1000,
        )
        self.done[index] = done
        return done

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
