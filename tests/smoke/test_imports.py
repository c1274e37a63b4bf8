"""Start-up stays quick: ``python -m tokenlab inspect TOKEN`` (and the other offline commands)
run in a subprocess never load the HTTP stacks, the sandbox, the realtime client or Qt; the
window paints its first tab before the sandbox, asyncio or any other tab is loaded.

The module set is ``sys.modules`` at exit, written by a ``sitecustomize`` put first on the path
(``-X importtime`` would miss modules loaded through ``importlib.import_module``).
A command added to ``tokenlab.cli.COMMANDS`` is held to the same rule unless it talks to a server
and is listed in ``NETWORK_COMMANDS``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tokenlab.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImFwcC5rZXkifQ."
    "eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0."
    "3o5N3VX5VLmKp3Vr1rw2ZPz8mN7A4x1cQy2lX9l8m0c"
)
KEY = "app.key:0123456789abcdef0123456789abcdef"
NETWORK_COMMANDS = frozenset({"sandbox", "watch", "request-token", "revoke"})
HEAVY = (
    "aiohttp",
    "httpx",
    "websockets",
    "rich",
    "tokenlab.sandbox",
    "tokenlab.realtime",
    "tokenlab.gui",
    "PySide6",
    "shiboken6",
    "qasync",
)


SITECUSTOMIZE = """\
import atexit, os, sys

def _dump():
    with open(os.environ["TOKENLAB_TEST_MODULES_OUT"], "w", encoding="utf-8") as out:
        out.write("\\n".join(sorted(sys.modules)))

atexit.register(_dump)
"""


def imported_modules(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Run ``python -m tokenlab ARGS``; the names in its ``sys.modules`` when it exits."""
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    out = tmp_path / "modules.txt"
    out.unlink(missing_ok=True)
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join((str(hook), str(ROOT))),
        "TOKENLAB_TEST_MODULES_OUT": str(out),
        "TOKENLAB_KEY": "",
        **(env or {}),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tokenlab", *args],
        capture_output=True,
        text=True,
        env=full_env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    return set(out.read_text(encoding="utf-8").split()), result


def heavy_among(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in HEAVY or n.startswith(HEAVY))


def test_inspect_loads_no_network_sandbox_or_gui_module(tmp_path: Path) -> None:
    names, result = imported_modules(tmp_path, "inspect", JWT, "--now-ms", "1700000001000")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ably JWT" in result.stdout  # it really decoded the token
    assert "tokenlab.core.inspector" in names  # and the import set was really recorded
    assert heavy_among(names) == []
    assert "asyncio" not in names  # nothing on the inspect path is asynchronous


@pytest.mark.parametrize(
    "args",
    [
        ("token-request", "--key", KEY, "--timestamp", "1700000000000", "--nonce", "n0"),
        ("jwt", "--key", KEY, "--iat", "1700000000"),
        ("verify", JWT, "--key", KEY),
    ],
    ids=lambda args: args[0],
)
def test_offline_commands_load_no_network_module(tmp_path: Path, args: tuple[str, ...]) -> None:
    names, result = imported_modules(tmp_path, *args)
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 1: findings, not a crash
    assert f"tokenlab.commands.{args[0].replace('-', '_')}" in names
    assert heavy_among(names) == []


@pytest.mark.parametrize(
    "name", [c.name for c in COMMANDS if c.name not in NETWORK_COMMANDS], ids=str
)
def test_every_offline_command_module_is_light(tmp_path: Path, name: str) -> None:
    """Its module and everything it imports at the top, loaded by ``--help``."""
    names, result = imported_modules(tmp_path, name, "--help")
    assert result.returncode == 0, result.stderr
    assert next(c for c in COMMANDS if c.name == name).module_name in names
    assert heavy_among(names) == []


def test_the_network_commands_are_still_registered_and_load_their_module(tmp_path: Path) -> None:
    """The lazy dispatch imports the chosen command's module (here one that needs the server)."""
    names, result = imported_modules(tmp_path, "sandbox", "--help")
    assert result.returncode == 0, result.stderr
    assert "--reset" in result.stdout
    assert "tokenlab.sandbox" in names
    assert "tokenlab.realtime" not in names  # only the chosen command's module


def test_top_level_help_lists_every_command_without_importing_them(tmp_path: Path) -> None:
    names, result = imported_modules(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps long summaries
    for command in COMMANDS:
        assert f" {command.name} " in text
        assert command.summary in text
        assert command.module_name not in names


def test_the_window_paints_before_the_sandbox_asyncio_or_other_tabs_load(tmp_path: Path) -> None:
    """``--startup-probe`` stops once the first tab is painted: by then only that tab is loaded;
    the sandbox, the network stacks, asyncio and qasync come after the first frames."""
    names, result = imported_modules(
        tmp_path,
        "--startup-probe",
        "--no-sandbox",
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "TOKENLAB_CONFIG_DIR": str(tmp_path / "config"),
            "TOKENLAB_DATA_DIR": str(tmp_path / "data"),
        },
    )
    assert result.returncode == 0, result.stderr
    lines = [line.partition(" (")[0] for line in result.stdout.splitlines()]
    assert lines == ["tokenlab: window shown", "tokenlab: first tab ready"]
    assert "tokenlab.gui.tabs.inspect_tab" in names and "PySide6.QtWidgets" in names
    late = [n for n in heavy_among(names) if not n.startswith(("PySide6", "shiboken6"))]
    assert [n for n in late if not n.startswith("tokenlab.gui")] == []
    other_tabs = ("tokenlab.gui.live", "tokenlab.gui.tabs.jwt_tab", "tokenlab.gui.tabs.sandbox_tab")
    assert [n for n in names if n.startswith(other_tabs)] == []
    assert {"asyncio", "qasync", "keyring"}.isdisjoint(names)
