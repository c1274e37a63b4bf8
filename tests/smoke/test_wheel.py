"""The wheel ships resources/ inside the package, and tokenlab finds them there at run time."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    (built,) = out.glob("tokenlab-*.whl")
    return built


def test_wheel_contains_the_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tokenlab/resources/samples/ably-jwt.txt" in names
    assert "tokenlab/resources/docs/compatibility.md" in names
    assert any(n.startswith("tokenlab/resources/icons/") and n.endswith(".svg") for n in names)


def test_installed_wheel_finds_resources_inside_the_package(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    code = (
        "from tokenlab.core.resources import resource_path;"
        "from tokenlab.core.samples import load_sample;"
        "print(resource_path('samples', 'ably-jwt.txt'));"
        "print(load_sample('ably-jwt')[:3])"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    path, head = result.stdout.splitlines()
    assert Path(path).is_relative_to(target / "tokenlab" / "resources")
    assert head == "eyJ"
