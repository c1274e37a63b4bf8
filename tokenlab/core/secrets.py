"""API key secrets: the OS keyring when there is one, else memory for this session only.

Secrets never go into settings, logs or exports. The store is keyed by key name
(``appId.keyId``) under the keyring service ``tokenlab``. When no keyring backend is usable the
store keeps secrets in memory and says so through ``persistent`` and ``status`` so the GUI can
tell the user that their keys will be forgotten when the app quits.
"""

from __future__ import annotations

import logging
from typing import Any

SERVICE = "tokenlab"
log = logging.getLogger(__name__)


def _usable_backend() -> tuple[Any | None, str]:
    """The active keyring backend, or None and the reason it cannot be used."""
    try:
        import keyring  # imported on first use: it is slow to import and not needed to start

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration must not stop the app
        return None, f"the keyring could not be loaded ({type(exc).__name__})"
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return None, "no OS keyring is available"
    if getattr(backend, "priority", 1) <= 0:
        return None, "the OS keyring is disabled"
    return backend, f"OS keyring ({type(backend).__name__})"


def _keyring_errors() -> Any:
    import keyring.errors

    return keyring.errors


class SecretStore:
    """Get, set and delete key secrets; falls back to memory when the keyring fails."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service
        self._memory: dict[str, str] = {}
        self._checked = False
        self._backend_value: Any | None = None
        self._status = ""

    @property
    def _backend(self) -> Any | None:
        if not self._checked:
            self._checked = True
            self._backend_value, self._status = _usable_backend()
        return self._backend_value

    @_backend.setter
    def _backend(self, value: Any | None) -> None:
        self._checked = True
        self._backend_value = value

    @property
    def persistent(self) -> bool:
        """True when secrets survive a restart (they are in the OS keyring)."""
        return self._backend is not None

    @property
    def status(self) -> str:
        """One line for the UI, e.g. 'Secrets are kept in memory only: no OS keyring ...'."""
        if self._backend is not None:
            return f"Secrets are stored in the {self._status}."
        return f"Secrets are kept in memory for this session only: {self._status}."

    def _fall_back(self, exc: Exception) -> None:
        log.warning("keyring failed (%s); keeping secrets in memory", type(exc).__name__)
        self._backend = None
        self._status = f"the OS keyring failed ({type(exc).__name__})"

    def get(self, key_name: str) -> str | None:
        if key_name in self._memory or self._backend is None:
            return self._memory.get(key_name)
        try:
            value = self._backend.get_password(self._service, key_name)
        except _keyring_errors().KeyringError as exc:
            self._fall_back(exc)
            return None
        return value if isinstance(value, str) else None

    def set(self, key_name: str, secret: str) -> None:
        if self._backend is not None:
            try:
                self._backend.set_password(self._service, key_name, secret)
                self._memory.pop(key_name, None)
                return
            except _keyring_errors().KeyringError as exc:
                self._fall_back(exc)
        self._memory[key_name] = secret

    def delete(self, key_name: str) -> None:
        self._memory.pop(key_name, None)
        if self._backend is None:
            return
        try:
            self._backend.delete_password(self._service, key_name)
        except _keyring_errors().PasswordDeleteError:
            pass  # nothing stored under that name
        except _keyring_errors().KeyringError as exc:
            self._fall_back(exc)
