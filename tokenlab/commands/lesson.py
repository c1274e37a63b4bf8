"""``tokenlab lesson``: list, run and check the auth lessons headless.

``lesson list [--json]`` shows the built-in lessons and the user's (from ``<data dir>/lessons``
and ``--lessons-dir``); ``lesson run ID|--all [--json]`` runs lessons against an embedded
sandbox, printing the explanation and each observed outcome as it happens, and exits 0 when
every expectation was met, 1 otherwise; ``lesson check FILE`` validates one lesson file
without running it. Heavy imports stay inside the handlers so ``tokenlab --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tokenlab.commands.common import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    handles_user_errors,
    new_parser,
    paint,
    print_json,
)

if TYPE_CHECKING:
    from tokenlab.lessons.loader import LessonSet
    from tokenlab.lessons.model import Lesson
    from tokenlab.lessons.runner import Progress


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(
        subparsers, "lesson", help="list, run and check auth lessons", description=__doc__
    )
    verbs = p.add_subparsers(title="verbs", metavar="VERB")
    lst = new_parser(verbs, "list", help="list the lessons", description=None)
    _common(lst)
    lst.set_defaults(func=run_list)
    run = new_parser(verbs, "run", help="run lessons on an embedded sandbox", description=None)
    which = run.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", help="the lesson id (see `tokenlab lesson list`)")
    which.add_argument("--all", action="store_true", help="run every lesson")
    _common(run)
    run.set_defaults(func=run_run)
    chk = new_parser(verbs, "check", help="validate a lesson file", description=None)
    chk.add_argument("file", type=Path)
    chk.add_argument("--json", action="store_true")
    chk.set_defaults(func=run_check)

    def usage(_args: argparse.Namespace) -> int:
        p.print_help()
        return EXIT_USAGE

    p.set_defaults(func=usage)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lessons-dir", action="append", default=[], type=Path, metavar="DIR")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _load(args: argparse.Namespace) -> LessonSet:
    from tokenlab.lessons.loader import load_all

    lessons = load_all(args.lessons_dir)
    for error in lessons.errors:
        sys.stderr.write(f"tokenlab lesson: skipped {error}\n")
    return lessons


def _summary(lesson: Lesson) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "title": lesson.title,
        "theme": lesson.theme,
        "concepts": list(lesson.concepts),
        "steps": len(lesson.steps),
        "builtin": lesson.builtin,
        "file": lesson.source,
    }


@handles_user_errors
def run_list(args: argparse.Namespace) -> int:
    lessons = _load(args)
    if args.json:
        print_json([_summary(x) for x in lessons.lessons])
        return EXIT_OK
    themes: dict[str, list[Lesson]] = {}  # in the order each theme first appears, as in the tab
    for lesson in lessons.lessons:
        themes.setdefault(lesson.theme, []).append(lesson)
    for theme, members in themes.items():
        sys.stdout.write(f"\n{theme}\n")
        for lesson in members:
            origin = "" if lesson.builtin else "  (yours)"
            sys.stdout.write(f"  {lesson.id:<24} {lesson.title}{origin}\n")
            sys.stdout.write(f"  {'':<24} concepts: {', '.join(lesson.concepts)}\n")
    return EXIT_OK


@handles_user_errors
def run_check(args: argparse.Namespace) -> int:
    from tokenlab.lessons.loader import LessonFileError, load_file

    try:
        lesson = load_file(args.file)
    except LessonFileError as exc:
        if args.json:
            print_json({"ok": False, "file": exc.file, "field": exc.field, "error": exc.problem})
        else:
            sys.stderr.write(f"✖ {exc}\n")
        return EXIT_ERRORS
    if args.json:
        print_json({"ok": True, **_summary(lesson)})
    else:
        sys.stdout.write(f"✔ {args.file}: lesson {lesson.id!r}, {len(lesson.steps)} steps\n")
    return EXIT_OK


@handles_user_errors
def run_run(args: argparse.Namespace) -> int:
    import asyncio

    lessons = _load(args)
    chosen = list(lessons.lessons) if args.all else [lessons.get(args.id)]
    started = time.monotonic()
    results = asyncio.run(_run(chosen, None if args.json else sys.stdout))
    elapsed = time.monotonic() - started
    # --all also vouches for every lesson file: one that did not load is a failure too
    ok = all(r["ok"] for r in results) and not (args.all and lessons.errors)
    if args.json:
        print_json({"ok": ok, "elapsed_s": round(elapsed, 2), "lessons": results})
    else:
        passed = sum(r["ok"] for r in results)
        sys.stdout.write(f"\n{passed}/{len(results)} lessons passed in {elapsed:.1f} s\n")
    return EXIT_OK if ok else EXIT_ERRORS


async def _run(lessons: list[Lesson], out: TextIO | None) -> list[dict[str, Any]]:
    from tokenlab.lessons.env import embedded_env
    from tokenlab.lessons.runner import StepDone, run_lesson

    results = []
    async with embedded_env() as env:
        for lesson in lessons:
            if out is not None:
                _intro(lesson, out)
            steps: list[dict[str, Any]] = []
            async for item in run_lesson(lesson, env):
                if out is not None:
                    _print_progress(item, out)
                if isinstance(item, StepDone):
                    steps.append(_step_json(lesson, item))
            ok = len(steps) == len(lesson.steps) and all(s["ok"] for s in steps)
            results.append({"id": lesson.id, "ok": ok, "steps": steps})
    return results


def _intro(lesson: Lesson, out: TextIO) -> None:
    out.write(f"\n━━ {lesson.title} [{lesson.id}]\n")
    for n, para in enumerate(lesson.explanation.split("\n\n")):
        if n:
            out.write("\n")
        out.write(
            textwrap.fill(" ".join(para.split()), 92, initial_indent="   ", subsequent_indent="   ")
        )
        out.write("\n")
    out.write(f"   Predict: {lesson.predict.question}\n")
    for i, choice in enumerate(lesson.predict.choices):
        out.write(f"     {chr(65 + i)}. {choice}\n")


def _print_progress(item: Progress, out: TextIO) -> None:
    from tokenlab.lessons.runner import CheckDone, StepStarted

    if isinstance(item, StepStarted):
        out.write(f" {item.index + 1}. {item.step.title}\n")
    elif isinstance(item, CheckDone):
        c = item.check
        mark = paint("✔", "32", out) if c.met else paint("✖", "31", out)
        seen = "" if c.met else f"  (observed: {c.observed})"
        out.write(f"    {mark} {c.expectation.describe()}{seen}\n")
    else:
        if not item.ok and item.result.message:
            out.write(f"    · the step reported: {item.result.message}\n")
    out.flush()


def _step_json(lesson: Lesson, done: Any) -> dict[str, Any]:
    return {
        "title": lesson.steps[done.index].title,
        "ok": done.ok,
        "elapsed_ms": round(done.elapsed_ms, 1),
        "error_code": done.result.error_code,
        "checks": [
            {
                "expect": c.expectation.name,
                "value": c.expectation.value,
                "met": c.met,
                "observed": c.observed,
            }
            for c in done.checks
        ],
    }
