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


def install(wheel: Path, target: Path) -> Path:
    """``pip install --target`` the wheel alone (its dependencies are in this venv already)."""
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target"]
    subprocess.run([*pip, str(target), str(wheel)], check=True, timeout=120, capture_output=True)
    return target


def test_wheel_contains_the_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tokenlab/resources/samples/ably-jwt.txt" in names
    assert "tokenlab/resources/docs/compatibility.md" in names
    assert any(n.startswith("tokenlab/resources/icons/") and n.endswith(".svg") for n in names)
    assert "tokenlab/resources/lessons/08-token-request.toml" in names


def test_installed_wheel_finds_resources_inside_the_package(wheel: Path, tmp_path: Path) -> None:
    target = install(wheel, tmp_path / "site")
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


def test_the_wheel_declares_the_tokenlab_command_and_it_runs(wheel: Path, tmp_path: Path) -> None:
    """``pip install tokenlab`` gives a ``tokenlab`` command: the entry point the wheel declares
    resolves in the installed wheel and runs a CLI command."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        entry_points = archive.read(name).decode()
    assert "[console_scripts]\ntokenlab = tokenlab.cli:main" in entry_points
    target = install(wheel, tmp_path / "site")
    code = "import sys; from tokenlab.cli import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", code, "inspect", "appId.keyId:secret"],
        timeout=60,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(target)},
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "API key" in result.stdout
