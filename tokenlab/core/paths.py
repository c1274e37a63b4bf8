"""Where tokenlab keeps its files: the config folder, the data folder and the resources.

``TOKENLAB_CONFIG_DIR`` and ``TOKENLAB_DATA_DIR`` override the platform folders (tests point them
at a temporary directory). Nothing here creates folders except ``ensure_dir``. Resources are
located by ``core.resources``.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "tokenlab"
CONFIG_ENV = "TOKENLAB_CONFIG_DIR"
DATA_ENV = "TOKENLAB_DATA_DIR"
SETTINGS_FILE = "settings.json"


def config_dir() -> Path:
    """The folder holding ``settings.json``."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """The folder holding the sandbox database and other generated data."""
    override = os.environ.get(DATA_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def resource(*parts: str) -> Path:
    """A file under ``resources/`` (it may not exist; callers decide what that means)."""
    from tokenlab.core.resources import resource_path  # importlib.resources is slow to import

    return resource_path(*parts)
