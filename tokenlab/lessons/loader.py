"""Reading and validating lesson files (TOML, stdlib ``tomllib``).

Every problem becomes a ``LessonFileError`` naming the file and the field (``steps[2].expect.
state``) and saying what was expected; nothing in a lesson file can crash the caller. Built-in
lessons come from ``resources/lessons``; user lessons from ``<data dir>/lessons`` and any
``--lessons-dir``, validated the same way. ``load_all`` keeps going past bad files and returns
their errors beside the good lessons, so one broken file never hides the others.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokenlab.core import paths
from tokenlab.core.errors import UserError
from tokenlab.lessons.model import (
    ACTIONS,
    AUTH_KINDS,
    CONCEPTS,
    DEFAULT_TIMEOUT_MS,
    EXPECT_CHOICES,
    EXPECTATIONS,
    MINT_KINDS,
    TAMPER_FIELDS,
    Expectation,
    Laptop,
    Lesson,
    Predict,
    Step,
)

STEP_COMMON = ("title", "action", "note", "expect", "timeout_ms")
LESSON_FIELDS = (
    "id",
    "title",
    "theme",
    "order",
    "concepts",
    "explanation",
    "predict",
    "steps",
    "laptop",
)
MAX_TIMEOUT_MS = 120_000


class LessonFileError(UserError):
    """A lesson file that cannot be used, with the file and the field at fault."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}", code="lesson.invalid")
        self.file = file
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class LessonSet:
    lessons: tuple[Lesson, ...]
    errors: tuple[LessonFileError, ...]

    def get(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        known = ", ".join(sorted(x.id for x in self.lessons))
        raise UserError(
            f"No lesson {lesson_id!r}.", code="lesson.unknown", fix=f"Known lessons: {known}"
        )


class _Reader:
    """Typed access to one table, reporting the path of each field it reads."""

    def __init__(self, file: str, data: Mapping[str, Any], prefix: str = "") -> None:
        self.file, self.data, self.prefix = file, data, prefix

    def fail(self, name: str, problem: str) -> LessonFileError:
        return LessonFileError(self.file, f"{self.prefix}{name}", problem)

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if name not in self.data:
            if default is ...:
                raise self.fail(name, "is missing")
            return default
        value = self.data[name]
        if isinstance(value, bool) and kind in (int, (int, float)):
            raise self.fail(name, f"must be {_type_name(kind)}, not a boolean")
        if not isinstance(value, kind):
            raise self.fail(name, f"must be {_type_name(kind)}, not {type(value).__name__}")
        return value

    def text(self, name: str, default: Any = ...) -> Any:
        value = self.get(name, str, default)
        if isinstance(value, str) and default is ... and not value.strip():
            raise self.fail(name, "is empty")
        return value

    def table(self, name: str) -> _Reader:
        return _Reader(self.file, self.get(name, dict), f"{self.prefix}{name}.")

    def only(self, allowed: Iterable[str], what: str) -> None:
        allowed = tuple(allowed)
        for name in self.data:
            if name not in allowed:
                raise self.fail(name, f"is not a field of {what} (known: {', '.join(allowed)})")


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}
    names[dict] = "a table"
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def parse_lesson(text: str, file: str, *, builtin: bool = False) -> Lesson:
    """One lesson from TOML text; LessonFileError for any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LessonFileError(file, "", f"is not valid TOML ({exc})") from None
    r = _Reader(file, data)
    r.only(LESSON_FIELDS, "a lesson")
    lesson_id = r.text("id")
    if not all(c.isalnum() or c in "-_" for c in lesson_id):
        raise r.fail("id", "may hold only letters, digits, '-' and '_'")
    return Lesson(
        id=lesson_id,
        title=r.text("title"),
        theme=r.text("theme"),
        order=r.get("order", int, 100),
        concepts=_concepts(r),
        explanation=r.text("explanation").strip(),
        predict=_predict(r.table("predict")),
        steps=_steps(r),
        laptop=_laptop(r.table("laptop")) if "laptop" in data else None,
        source=file,
        builtin=builtin,
    )


def _concepts(r: _Reader) -> tuple[str, ...]:
    values = r.get("concepts", list)
    if not values:
        raise r.fail("concepts", "needs at least one concept id")
    for i, value in enumerate(values):
        if value not in CONCEPTS:
            raise r.fail(f"concepts[{i}]", f"unknown concept {value!r} (known: {_known()})")
    return tuple(values)


def _known() -> str:
    return ", ".join(CONCEPTS)


def _predict(r: _Reader) -> Predict:
    r.only(("question", "choices", "answer", "why"), "predict")
    choices = r.get("choices", list)
    if len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
        raise r.fail("choices", "needs at least two non-empty strings")
    answer = r.get("answer", int)
    if not 0 <= answer < len(choices):
        raise r.fail("answer", f"must index the choices (0 to {len(choices) - 1})")
    return Predict(r.text("question"), tuple(choices), answer, r.text("why", ""))


def _laptop(r: _Reader) -> Laptop:
    r.only(("ably_js", "ably_python", "expected"), "laptop")
    return Laptop(r.text("ably_js", ""), r.text("ably_python", ""), r.text("expected", ""))


def _steps(r: _Reader) -> tuple[Step, ...]:
    raw = r.get("steps", list)
    if not raw:
        raise r.fail("steps", "needs at least one step")
    steps = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise r.fail(f"steps[{i}]", "must be a table ([[steps]])")
        steps.append(_step(_Reader(r.file, item, f"steps[{i}].")))
    _check_references(r, steps)
    return tuple(steps)


def _check_references(r: _Reader, steps: Sequence[Step]) -> None:
    """A step may only use a connection an earlier step opened and a token an earlier step
    saved: caught here rather than halfway through a class."""
    connections: set[str] = set()
    tokens: set[str] = set()
    for i, step in enumerate(steps):
        p = step.params
        conn = p.get("connection")
        if step.action == "connect":
            connections.add(str(conn))
        elif conn is not None and conn not in connections:
            raise r.fail(f"steps[{i}].connection", f"no earlier step connects {conn!r}")
        token = p.get("token")
        uses_token = step.action != "connect" or p.get("auth") == "token"
        if token is not None and uses_token and token not in tokens:
            raise r.fail(f"steps[{i}].token", f"no earlier step saves a token as {token!r}")
        if "save_as" in p:
            tokens.add(p["save_as"])
        bad_path = not str(p.get("auth_url", "/")).startswith("/")
        if step.action == "connect" and bad_path:
            raise r.fail(f"steps[{i}].auth_url", "must be a path on the sandbox, like /auth/jwt")


def _step(r: _Reader) -> Step:
    action = r.text("action")
    if action not in ACTIONS:
        raise r.fail("action", f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    r.only((*STEP_COMMON, *ACTIONS[action]), f"a {action!r} step")
    params = {k: v for k, v in r.data.items() if k not in STEP_COMMON}
    _check_params(r, action, params)
    timeout = r.get("timeout_ms", int, DEFAULT_TIMEOUT_MS)
    if not 0 < timeout <= MAX_TIMEOUT_MS:
        raise r.fail("timeout_ms", f"must be between 1 and {MAX_TIMEOUT_MS}")
    expect = r.table("expect") if "expect" in r.data else _Reader(r.file, {}, r.prefix + "expect.")
    return Step(
        title=r.text("title"),
        action=action,
        params=params,
        expectations=_expectations(expect),
        timeout_ms=timeout,
        note=r.text("note", ""),
    )


_PARAM_TYPES: dict[str, type | tuple[type, ...]] = {
    "ttl_ms": int,
    "outer_ttl_ms": int,
    "timestamp_offset_ms": int,
    "skew_ms": int,
    "lead_ms": int,
    "query_time": bool,
    "allow_reauth_margin": bool,
    "auth_params": dict,
    "auth_headers": dict,
    "data": (str, int, float, bool, dict, list),
    "value": (str, int),
}
_CHOICES: dict[str, Sequence[str]] = {
    "auth_method": ("GET", "POST"),
    "field": TAMPER_FIELDS,
}
_NEEDS: dict[str, tuple[str, ...]] = {
    "connect": ("connection", "auth"),
    "attach": ("connection", "channel"),
    "publish": ("connection", "channel"),
    "enter_presence": ("connection", "channel"),
    "authorize": ("connection",),
    "drop_network": ("connection",),
    "set_clock_skew": ("skew_ms",),
    "set_reauth_lead": ("lead_ms",),
    "mint": ("kind", "save_as"),
    "request_token": ("token",),
    "tamper": ("token", "field"),
    "inspect": ("token",),
}


def _check_params(r: _Reader, action: str, params: Mapping[str, Any]) -> None:
    for name in _NEEDS.get(action, ()):
        r.get(name, object)
    for name in params:
        kind = _PARAM_TYPES.get(name, str)
        r.get(name, kind)
        if name in _CHOICES and params[name] not in _CHOICES[name]:
            raise r.fail(name, f"must be one of {', '.join(_CHOICES[name])}")
    if action == "connect" and params["auth"] not in AUTH_KINDS:
        raise r.fail("auth", f"must be one of {', '.join(AUTH_KINDS)}")
    if action == "connect" and params["auth"] in ("auth_url", "token"):
        r.get("auth_url" if params["auth"] == "auth_url" else "token", str)
    if action == "mint" and params["kind"] not in MINT_KINDS:
        raise r.fail("kind", f"must be one of {', '.join(MINT_KINDS)}")
    if action == "mint" and params["kind"] == "embedded_jwt":
        r.get("token", str)
    for name in ("auth_params", "auth_headers"):
        for key, value in params.get(name, {}).items():
            if not isinstance(value, str):
                raise r.fail(f"{name}.{key}", "must be a string")
    if action == "revoke" and not ({"connection", "client_id"} & set(params)):
        raise r.fail("connection", "a revoke step needs a connection or a client_id")


def _expectations(r: _Reader) -> tuple[Expectation, ...]:
    r.only(EXPECTATIONS, "expect")
    out = []
    for name, (_, kind) in EXPECTATIONS.items():
        if name in r.data:
            out.append(Expectation(name, r.get(name, kind)))
    for name, choices in EXPECT_CHOICES.items():
        if name in r.data and r.data[name] not in choices:
            raise r.fail(name, f"must be one of {', '.join(choices)}")
    if "auth_request" in r.data:
        r.table("auth_request").only(("method", "params", "headers"), "auth_request")
    return tuple(out)


# -- files and folders -----------------------------------------------------------------------


def load_file(path: Path, *, builtin: bool = False) -> Lesson:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonFileError(str(path), "", f"cannot be read ({exc})") from None
    return parse_lesson(text, str(path), builtin=builtin)


def builtin_dir() -> Path:
    return paths.resource("lessons")


def user_dir() -> Path:
    """``<data dir>/lessons``: instructors' own lesson files (it may not exist)."""
    return paths.data_dir() / "lessons"


def load_all(extra_dirs: Sequence[Path] = (), *, include_user: bool = True) -> LessonSet:
    """Built-in lessons, then the user folder's, then each extra folder's. A later lesson with
    an id already taken is reported as an error rather than replacing the first."""
    folders: list[tuple[Path, bool]] = [(builtin_dir(), True)]
    if include_user:
        folders.append((user_dir(), False))
    folders += [(Path(d), False) for d in extra_dirs]
    lessons: dict[str, Lesson] = {}
    errors: list[LessonFileError] = []
    for folder, builtin in folders:
        if not builtin and extra_dirs and folder in extra_dirs and not folder.is_dir():
            errors.append(LessonFileError(str(folder), "", "is not a folder"))
            continue
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                lesson = load_file(path, builtin=builtin)
            except LessonFileError as exc:
                errors.append(exc)
                continue
            if lesson.id in lessons:
                first = lessons[lesson.id].source
                errors.append(LessonFileError(str(path), "id", f"{lesson.id!r} is already {first}"))
                continue
            lessons[lesson.id] = lesson
    ordered = sorted(lessons.values(), key=lambda x: (x.order, x.id))
    return LessonSet(tuple(ordered), tuple(errors))
