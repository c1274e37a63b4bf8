"""Root test configuration: isolation from the developer's machine.

- Qt runs offscreen (set before any QApplication can exist).
- Settings and data go to a per-test temporary folder (TOKENLAB_CONFIG_DIR / TOKENLAB_DATA_DIR).
- The keyring is an in-memory backend, emptied before each test: tests never touch the OS
  keyring and never see each other's secrets.
- Garbage is collected after every test, so an unclosed socket or transport raises its
  ResourceWarning (an error here) in the test that leaked it, not in whichever test the garbage
  collector happens to interrupt later.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="tokenlab-tests-"))
os.environ["TOKENLAB_CONFIG_DIR"] = str(_SESSION_DIR / "config")
os.environ["TOKENLAB_DATA_DIR"] = str(_SESSION_DIR / "data")


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that forgets everything when the process ends."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


MEMORY_KEYRING = MemoryKeyring()
keyring.set_keyring(MEMORY_KEYRING)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TOKENLAB_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TOKENLAB_DATA_DIR", str(tmp_path / "data"))
    MEMORY_KEYRING.passwords.clear()
    keyring.set_keyring(MEMORY_KEYRING)
    yield
    gc.collect()
