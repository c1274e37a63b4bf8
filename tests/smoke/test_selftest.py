"""``python -m tokenlab --selftest`` in a subprocess: every tab, a decode, a live renewal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT_S = 90


@pytest.mark.slow
def test_selftest_exits_zero(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TOKENLAB_CONFIG_DIR": str(tmp_path / "config"),
        "TOKENLAB_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tokenlab", "--selftest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "selftest: opened tabs: inspect, token_request, jwt" in result.stdout
    assert "selftest: decoded: Ably JWT" in result.stdout
    assert "selftest: live: token renewed" in result.stdout
    assert "selftest: ok" in result.stdout


@pytest.mark.slow
def test_selftest_fails_without_a_sandbox(tmp_path: Path) -> None:
    """A self-test that cannot do its job (no sandbox to connect to) must not exit 0."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TOKENLAB_CONFIG_DIR": str(tmp_path / "config"),
        "TOKENLAB_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tokenlab", "--selftest", "--no-sandbox"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert result.returncode != 0, result.stdout + result.stderr
    assert "FAILED" in result.stdout and "sandbox" in result.stdout
