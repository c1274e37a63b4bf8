"""Settings file (atomic JSON, lenient loading) and the secret store (keyring / memory)."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest

from tests.conftest import MEMORY_KEYRING
from tokenlab.core import paths
from tokenlab.core.errors import SettingsError
from tokenlab.core.secrets import SecretStore
from tokenlab.core.settings import (
    SCHEMA_VERSION,
    KeyProfile,
    Settings,
    load_settings,
    load_settings_or_defaults,
    save_settings,
)
from tokenlab.gui.context import AppContext


def test_config_dir_follows_environment(tmp_path: Path) -> None:
    assert paths.settings_path() == tmp_path / "config" / "settings.json"
    assert paths.data_dir() == tmp_path / "data"


def test_missing_file_gives_defaults() -> None:
    assert load_settings() == Settings()


def test_round_trip_keeps_every_field() -> None:
    settings = Settings(
        last_tab="jwt",
        large_font=True,
        mask_secrets=True,
        time_format="utc",
        key_profiles=(KeyProfile("staging", "app.key", "sandbox", '{"chat:*":["publish"]}'),),
        tab_state={"live": {"endpoint": "sandbox"}},
        lessons_done=("token-request", "revocation"),
        sandbox_tls=True,
    )
    save_settings(settings)
    assert load_settings() == settings
    data = json.loads(paths.settings_path().read_text())
    assert data["schema_version"] == SCHEMA_VERSION


def test_save_is_atomic_and_leaves_no_temp_files() -> None:
    save_settings(Settings(last_tab="jwt"))
    save_settings(Settings(last_tab="inspect"))
    folder = paths.settings_path().parent
    assert sorted(p.name for p in folder.iterdir()) == ["settings.json"]


async def test_secrets_never_reach_the_settings_file(ctx: AppContext) -> None:
    ctx.add_key_profile(KeyProfile("p", "app.key"), "sup3r-secret-value")
    text = paths.settings_path().read_text()
    assert "app.key" in text
    assert "sup3r-secret-value" not in text
    assert MEMORY_KEYRING.passwords[("tokenlab", "app.key")] == "sup3r-secret-value"


def test_bad_values_are_named_and_defaults_kept() -> None:
    path = paths.ensure_dir(paths.config_dir()) / "settings.json"
    path.write_text(
        json.dumps({"large_font": "yes", "colour": 3, "last_tab": "jwt", "sandbox_tls": 1})
    )
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "large_font: must be a bool" in info.value.message
    assert "unknown setting 'colour'" in info.value.message
    assert "sandbox_tls: must be a bool" in info.value.message
    settings, error = load_settings_or_defaults()
    assert error is not None
    assert settings.large_font is False  # default kept for the bad value
    assert settings.last_tab == "jwt"  # good value kept
    assert path.with_name("settings.json.bad").exists()


def test_lesson_progress_is_typed_and_toggled() -> None:
    path = paths.ensure_dir(paths.config_dir()) / "settings.json"
    path.write_text(json.dumps({"lessons_done": ["a", 3]}))
    settings, error = load_settings_or_defaults()
    assert error is not None and "lessons_done: must be a list of strings" in error.message
    assert settings.lessons_done == ()
    done = settings.with_lesson_done("a", True).with_lesson_done("b", True)
    assert done.lessons_done == ("a", "b")
    assert done.with_lesson_done("a", False).lessons_done == ("b",)


def test_invalid_json_is_a_settings_error() -> None:
    path = paths.ensure_dir(paths.config_dir()) / "settings.json"
    path.write_text("{not json")
    settings, error = load_settings_or_defaults()
    assert settings == Settings()
    assert error is not None and "not valid JSON" in error.message


def test_newer_schema_is_refused() -> None:
    path = paths.ensure_dir(paths.config_dir()) / "settings.json"
    path.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1, "large_font": True}))
    settings, error = load_settings_or_defaults()
    assert settings == Settings()
    assert error is not None and "newer" in error.message


def test_bad_key_profile_is_reported() -> None:
    path = paths.ensure_dir(paths.config_dir()) / "settings.json"
    path.write_text(json.dumps({"key_profiles": [{"name": "x", "key_name": "nodot"}]}))
    with pytest.raises(SettingsError, match=r"appId\.keyId"):
        load_settings()


def test_unwritable_folder_is_a_settings_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SettingsError, match="could not be saved"):
        save_settings(Settings(), blocker / "sub" / "settings.json")


def test_secret_store_uses_keyring() -> None:
    store = SecretStore()
    assert store.persistent
    store.set("app.key", "s3cr3t")
    assert SecretStore().get("app.key") == "s3cr3t"
    store.delete("app.key")
    assert store.get("app.key") is None
    store.delete("app.key")  # deleting twice is fine


def test_secret_store_falls_back_to_memory_without_backend() -> None:
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    store = SecretStore()
    assert not store.persistent
    assert "memory" in store.status
    store.set("app.key", "s3cr3t")
    assert store.get("app.key") == "s3cr3t"
    assert MEMORY_KEYRING.passwords == {}
