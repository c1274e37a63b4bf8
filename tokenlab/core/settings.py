"""User settings: a typed, frozen ``Settings`` dataclass saved as JSON with an atomic write.

The file lives in ``paths.config_dir()`` (``TOKENLAB_CONFIG_DIR`` overrides it). A file that is
unreadable, of a newer schema, or holds unknown or ill-typed values gives a ``SettingsError``
that names every problem; the lenient loader keeps the defaults for the bad values, keeps the
good ones, and saves a copy of the bad file next to it. Key secrets are never stored here: a
``KeyProfile`` holds only the key name (the secret is in ``core.secrets``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tokenlab.core import paths
from tokenlab.core.errors import SettingsError

SCHEMA_VERSION = 1
TIME_FORMATS = ("relative", "local", "utc")
THEMES = ("system", "light", "dark")  # "system" follows the desktop's colour scheme
TAB_IDS = ("inspect", "token_request", "jwt", "live", "sandbox", "lessons")
_KEY_NAME_RE = re.compile(r"^[^:\s.]+\.[^:\s.]+$")


@dataclass(frozen=True)
class KeyProfile:
    """A named API key the user added; its secret is in the keyring under ``key_name``."""

    name: str
    key_name: str
    endpoint: str = "ably"  # "ably", "sandbox" or a REST base URL
    capability: str = '{"*":["*"]}'  # the key's capability, for intersection previews


@dataclass(frozen=True)
class Settings:
    schema_version: int = SCHEMA_VERSION
    last_tab: str = "inspect"
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    large_font: bool = False
    mask_secrets: bool = False
    time_format: str = "relative"
    theme: str = "system"
    ably_rest_url: str = "https://rest.ably.io"
    key_profiles: tuple[KeyProfile, ...] = ()
    # Small JSON objects owned by individual tabs (e.g. the Live tab's last endpoint).
    tab_state: dict[str, dict[str, Any]] = field(default_factory=dict)
    lessons_done: tuple[str, ...] = ()  # ids of the lessons run to the end with every tick
    sandbox_tls: bool = False  # the embedded sandbox serves HTTPS/WSS (Sandbox tab switch)

    def with_lesson_done(self, lesson_id: str, done: bool) -> Settings:
        """A copy with ``lesson_id`` marked done (or back to not started)."""
        kept = tuple(x for x in self.lessons_done if x != lesson_id)
        return dataclasses.replace(self, lessons_done=(*kept, lesson_id) if done else kept)

    def with_profile(self, profile: KeyProfile) -> Settings:
        """A copy with ``profile`` added or replacing the one with the same name."""
        others = tuple(p for p in self.key_profiles if p.name != profile.name)
        return dataclasses.replace(self, key_profiles=(*others, profile))

    def without_profile(self, name: str) -> Settings:
        kept = tuple(p for p in self.key_profiles if p.name != name)
        return dataclasses.replace(self, key_profiles=kept)

    def with_tab_state(self, tab: str, state: Mapping[str, Any]) -> Settings:
        json.dumps(state)  # fail early on values the file could not hold
        return dataclasses.replace(self, tab_state={**self.tab_state, tab: dict(state)})


def validate_key_name(key_name: str) -> str:
    if not _KEY_NAME_RE.match(key_name):
        raise SettingsError(
            f"{key_name!r} is not a key name shaped appId.keyId.",
            code="settings.key_name",
            fix="Use the part of the API key before the ':'.",
        )
    return key_name


def _profile(value: Any) -> KeyProfile:
    if not isinstance(value, Mapping):
        raise ValueError("a key profile must be an object")
    allowed = {f.name for f in dataclasses.fields(KeyProfile)}
    unknown = set(value) - allowed
    if unknown:
        raise ValueError(f"unknown key profile field(s) {sorted(unknown)}")
    if not all(isinstance(value.get(k, ""), str) for k in allowed):
        raise ValueError("key profile fields must be strings")
    if not value.get("name"):
        raise ValueError("a key profile needs a name")
    validate_key_name(str(value.get("key_name", "")))
    return KeyProfile(**value)


def _profiles(value: Any) -> tuple[KeyProfile, ...]:
    if not isinstance(value, list):
        raise ValueError("must be a list")
    return tuple(_profile(item) for item in value)


def _tab_state(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError("must be an object of objects")
    return {str(k): dict(v) for k, v in value.items()}


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings")
    return tuple(dict.fromkeys(value))


def _typed(kind: type) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # bool is an int subclass: do not let `true` pass as a number or 1 as a flag
        if type(value) is not kind:
            raise ValueError(f"must be a {kind.__name__}")
        return value

    return check


def _choice(options: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return value

    return check


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "schema_version": _typed(int),
    "last_tab": _choice(TAB_IDS),
    "window_geometry": _typed(str),
    "large_font": _typed(bool),
    "mask_secrets": _typed(bool),
    "time_format": _choice(TIME_FORMATS),
    "theme": _choice(THEMES),
    "ably_rest_url": _typed(str),
    "key_profiles": _profiles,
    "tab_state": _tab_state,
    "lessons_done": _strings,
    "sandbox_tls": _typed(bool),
}


def settings_from_dict(data: Any) -> tuple[Settings, list[str]]:
    """Settings from a decoded JSON object, plus one line per value that was not usable."""
    if not isinstance(data, Mapping):
        return Settings(), ["the file does not hold a JSON object"]
    version = data.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        return Settings(), [f"schema_version {version} is newer than this tokenlab understands"]
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, raw in data.items():
        parser = _PARSERS.get(str(name))
        if parser is None:
            problems.append(f"unknown setting {name!r}")
            continue
        try:
            values[str(name)] = parser(raw)
        except (ValueError, TypeError, SettingsError) as exc:
            problems.append(f"{name}: {getattr(exc, 'message', exc)}")
    values["schema_version"] = SCHEMA_VERSION
    return Settings(**values), problems


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    data = dataclasses.asdict(settings)
    data["key_profiles"] = [dataclasses.asdict(p) for p in settings.key_profiles]
    return data


def _problem_error(path: Path, problems: list[str]) -> SettingsError:
    return SettingsError(
        f"Settings in {path} could not be fully used: " + "; ".join(problems) + ".",
        code="settings.invalid",
        fix="The defaults are used for those values; fix or delete the file.",
    )


def load_settings(path: Path | None = None) -> Settings:
    """Strict load: defaults when the file is missing, ``SettingsError`` on any problem."""
    path = path or paths.settings_path()
    settings, problems = _read(path)
    if problems:
        raise _problem_error(path, problems)
    return settings


def load_settings_or_defaults(path: Path | None = None) -> tuple[Settings, SettingsError | None]:
    """Lenient load for the app: usable values plus the error describing the rest.

    A file with problems is copied to ``settings.json.bad`` so saving later loses nothing.
    """
    path = path or paths.settings_path()
    settings, problems = _read(path)
    if not problems:
        return settings, None
    import shutil

    # the file may be unreadable; the error below still explains it
    with contextlib.suppress(OSError):
        shutil.copyfile(path, path.with_name(path.name + ".bad"))
    return settings, _problem_error(path, problems)


def _read(path: Path) -> tuple[Settings, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), []
    except (OSError, UnicodeDecodeError) as exc:
        return Settings(), [f"the file cannot be read ({exc.__class__.__name__})"]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Settings(), [f"the file is not valid JSON (line {exc.lineno}: {exc.msg})"]
    return settings_from_dict(data)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically: a temporary file in the same folder, then ``os.replace``."""
    import tempfile

    path = path or paths.settings_path()
    text = json.dumps(settings_to_dict(settings), indent=2, sort_keys=True) + "\n"
    try:
        paths.ensure_dir(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise SettingsError(
            f"Settings could not be saved to {path}: {exc.strerror or exc}.",
            code="settings.save",
            fix="Check that the folder is writable, or set TOKENLAB_CONFIG_DIR.",
        ) from exc
