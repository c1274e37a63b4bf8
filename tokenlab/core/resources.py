"""Locating files under ``resources/`` (icons, themes, lesson texts, sample tokens).

In a wheel the folder ships inside the package as ``tokenlab/resources`` (hatch force-include),
found through ``importlib.resources``; in a source checkout or editable install it is the
repository's top-level ``resources/`` folder.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
_REPO_RESOURCES = _PACKAGE.parent / "resources"


def _packaged(parts: tuple[str, ...]) -> Path | None:
    # What ``importlib.resources.files("tokenlab")`` gives for a package on the file system (the
    # only case the result was used in: a zipped package yields no Path), without importing
    # importlib.resources on the start-up path (it costs several ms).
    candidate = _PACKAGE.joinpath("resources", *parts)
    return candidate if candidate.exists() else None


def resource_path(*parts: str) -> Path:
    """The path of ``resources/<parts...>``: packaged copy first, then the source tree.

    The path may not exist (callers decide what a missing resource means).
    """
    return _packaged(parts) or _REPO_RESOURCES.joinpath(*parts)
