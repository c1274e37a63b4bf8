"""A malformed lesson file gives a clear error naming the file and the field, never a crash;
user lessons load beside the built-in ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokenlab.lessons.loader import LessonFileError, load_all, load_file, parse_lesson

GOOD = """
id = "mine"
title = "My lesson"
theme = "Mine"
concepts = ["ably-token"]
explanation = "Tokens."
[predict]
question = "What?"
choices = ["this", "that"]
answer = 1
[[steps]]
title = "Mint"
action = "mint"
kind = "ably_token"
save_as = "t"
[steps.expect]
token_kind = "ably_token"
"""


def _broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("id = [", "", "not valid TOML"),
        (_broken('id = "mine"\n', ""), "id", "missing"),
        (_broken('concepts = ["ably-token"]', 'concepts = ["tokens"]'), "concepts[0]", "unknown"),
        (_broken("answer = 1", "answer = 5"), "predict.answer", "index the choices"),
        (_broken('action = "mint"', 'action = "fly"'), "steps[0].action", "unknown action"),
        (_broken('kind = "ably_token"', 'kind = "magic"'), "steps[0].kind", "must be one of"),
        (_broken('save_as = "t"', 'save_as = "t"\ncolour = "red"'), "steps[0].colour", "not a"),
        (
            _broken('token_kind = "ably_token"', "renewals = true"),
            "steps[0].expect.renewals",
            "boolean",
        ),
        (_broken('token_kind = "ably_token"', "state = 3"), "steps[0].expect.state", "a string"),
        (_broken('token_kind = "ably_token"', "smell = 1"), "steps[0].expect.smell", "not a field"),
        (_broken('save_as = "t"\n', ""), "steps[0].save_as", "missing"),
        (
            _broken('token_kind = "ably_token"', 'state = "happy"'),
            "steps[0].expect.state",
            "one of",
        ),
        (_broken("[[steps]]", "timeout_ms = 1\n[[steps]]"), "predict.timeout_ms", "not a field"),
    ],
)
def test_malformed_lesson_names_file_and_field(text: str, field: str, words: str) -> None:
    with pytest.raises(LessonFileError) as info:
        parse_lesson(text, "mine.toml")
    assert info.value.file == "mine.toml"
    assert info.value.field == field
    assert words in info.value.problem
    assert str(info.value).startswith(f"mine.toml: {field}" if field else "mine.toml")


@pytest.mark.parametrize(
    ("step", "field", "words"),
    [
        ('action = "attach"\nconnection = "zoe"\nchannel = "x"', "connection", "no earlier"),
        ('action = "inspect"\ntoken = "nothing"', "token", "no earlier step saves"),
        (
            'action = "connect"\nconnection = "z"\nauth = "auth_url"\nauth_url = "x"',
            "auth_url",
            "path",
        ),
    ],
)
def test_references_to_later_or_missing_things_are_errors(
    step: str, field: str, words: str
) -> None:
    text = GOOD + f"[[steps]]\ntitle = 'Second'\n{step}\n"
    with pytest.raises(LessonFileError) as info:
        parse_lesson(text, "mine.toml")
    assert info.value.field == f"steps[1].{field}"
    assert words in info.value.problem


def test_unreadable_file_is_a_lesson_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(LessonFileError, match="cannot be read"):
        load_file(path)


def test_user_lessons_load_beside_builtin_and_bad_ones_are_reported(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.toml").write_text("id = 'x'", encoding="utf-8")
    clash = GOOD.replace('id = "mine"', 'id = "token-request"')
    (tmp_path / "clash.toml").write_text(clash, encoding="utf-8")
    lessons = load_all([tmp_path], include_user=False)
    mine = lessons.get("mine")
    assert not mine.builtin and mine.source.endswith("mine.toml")
    assert lessons.get("token-request").builtin
    problems = {Path(e.file).name: e.field for e in lessons.errors}
    assert problems == {"broken.toml": "title", "clash.toml": "id"}


def test_user_data_dir_lessons_are_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKENLAB_DATA_DIR", str(tmp_path))
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "mine.toml").write_text(GOOD, encoding="utf-8")
    assert not load_all().get("mine").builtin
