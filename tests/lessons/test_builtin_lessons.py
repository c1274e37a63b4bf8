"""Every built-in lesson runs, through the same runner as the CLI and GUI, against a fresh
embedded sandbox, and meets every expectation; together they cover every concept id."""

from __future__ import annotations

import pytest

from tokenlab.lessons.env import embedded_env
from tokenlab.lessons.loader import load_all
from tokenlab.lessons.model import CONCEPTS, Lesson
from tokenlab.lessons.runner import CheckDone, StepDone, StepStarted, run_lesson

BUILTIN = load_all(include_user=False).lessons


def test_builtin_lessons_load_without_errors() -> None:
    lessons = load_all(include_user=False)
    assert lessons.errors == ()
    assert len(lessons.lessons) >= 12
    assert all(x.builtin for x in lessons.lessons)


def test_every_concept_is_covered() -> None:
    covered = {c for lesson in BUILTIN for c in lesson.concepts}
    assert set(CONCEPTS) - covered == set()


@pytest.mark.parametrize("lesson", BUILTIN, ids=[x.id for x in BUILTIN])
async def test_lesson_passes(lesson: Lesson) -> None:
    failures = []
    started = done = 0
    async with embedded_env() as env:
        async for item in run_lesson(lesson, env):
            if isinstance(item, StepStarted):
                started += 1
            elif isinstance(item, CheckDone) and not item.check.met:
                exp = item.check.expectation
                failures.append(
                    f"step {item.index + 1}: {exp.describe()}, saw {item.check.observed}"
                )
            elif isinstance(item, StepDone):
                done += 1
        assert env.manager.names() == []  # the run closed its connections
        assert env.sandbox.settings.clock_skew_ms == 0
    assert failures == []
    assert started == done == len(lesson.steps)
