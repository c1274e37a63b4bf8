"""Sample tokens: shipped files are reproducible, loadable, and re-mintable relative to now."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokenlab.core.inspector import inspect
from tokenlab.core.report import TokenKind
from tokenlab.core.resources import resource_path
from tokenlab.core.samples import (
    FIXED_NOW_MS,
    SAMPLE_KEY,
    SAMPLES,
    Sample,
    generate_samples,
    load_sample,
    sample_text,
    write_samples,
)


def test_shipped_files_are_generated_deterministically() -> None:
    expected = generate_samples(FIXED_NOW_MS)
    assert generate_samples(FIXED_NOW_MS) == expected
    for sample in SAMPLES:
        assert load_sample(sample.id) == expected[sample.id], f"regenerate {sample.filename}"


def test_write_samples_round_trip(tmp_path: Path) -> None:
    paths = write_samples(tmp_path)
    assert {p.name for p in paths} == {s.filename for s in SAMPLES}
    assert all(p.read_text() == resource_path("samples", p.name).read_text() for p in paths)


def test_resource_path_finds_the_samples_folder() -> None:
    assert resource_path("samples").is_dir()
    assert resource_path("samples", "ably-jwt.txt").is_file()


def test_gui_titles() -> None:
    titles = [s.title for s in SAMPLES]
    for wanted in ("an Ably JWT", "a TokenRequest", "an expired token", "a pasted API key"):
        assert wanted in titles


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.id)
def test_live_samples_keep_their_meaning(sample: Sample) -> None:
    now = 1_900_000_000_000
    report = inspect(
        sample_text(sample.id, now_ms=now),
        now_ms=now + 5_000,  # type: ignore[attr-defined]
        known_keys=[SAMPLE_KEY],
    )
    expired = "token.expired" in report.codes()
    assert expired == (sample.id == "expired-token")
    assert report.kind is not TokenKind.NOT_A_TOKEN


def test_unknown_sample() -> None:
    with pytest.raises(KeyError):
        sample_text("nope")
