"""``tokenlab lesson list|run|check`` through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lessons.test_loader import GOOD
from tokenlab.cli import main


def test_list_json_names_every_builtin_lesson(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lesson", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"token-request", "revocation", "capabilities"} <= {x["id"] for x in listed}


def test_run_prints_explanation_and_outcomes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lesson", "run", "token-clientid"]) == 0
    out = capsys.readouterr().out
    assert "never sees the API key" in out
    assert "✔ error 40012 is reported" in out
    assert "1/1 lessons passed" in out


def test_run_exits_1_when_an_expectation_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = GOOD.replace('token_kind = "ably_token"', 'token_kind = "ably_jwt"')
    (tmp_path / "mine.toml").write_text(wrong, encoding="utf-8")
    assert main(["lesson", "run", "mine", "--lessons-dir", str(tmp_path), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    check = result["lessons"][0]["steps"][0]["checks"][0]
    assert check == {
        "expect": "token_kind",
        "value": "ably_jwt",
        "met": False,
        "observed": "Ably token (opaque)",
    }


def test_run_unknown_lesson_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lesson", "run", "no-such-lesson"]) == 2
    assert "No lesson 'no-such-lesson'" in capsys.readouterr().err


def test_check_good_and_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD.replace("answer = 1", "answer = 9"), encoding="utf-8")
    assert main(["lesson", "check", str(good)]) == 0
    assert "lesson 'mine', 1 steps" in capsys.readouterr().out
    assert main(["lesson", "check", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["field"] == "predict.answer" and report["file"] == str(bad)


def test_list_reports_a_lesson_file_that_does_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.toml").write_text("id = 'x'", encoding="utf-8")
    assert main(["lesson", "list", "--lessons-dir", str(tmp_path)]) == 0
    assert "broken.toml: title: is missing" in capsys.readouterr().err
