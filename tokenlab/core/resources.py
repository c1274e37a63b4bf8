"""Locating files under ``resources/`` (icons, themes, lesson texts, sample tokens).

In a wheel the folder ships inside the package as ``tokenlab/resources`` (hatch force-include),
found through ``importlib.resources``; in a source checkout or editable install it is the
repository's top-level ``resources/`` folder.
"""

from __future__ import annotations

from pathlib import Path

_REPO_RESOURCES = Path(__file__).resolve().parents[2] / "resources"


_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _packaged(parts: tuple[str, ...]) -> Path | None:
    if _PACKAGE_DIR.is_dir():  # the package is a folder (installed, frozen or a checkout): what
        # importlib.resources would find is right here, without importing it (~5-9 ms)
        candidate = _PACKAGE_DIR.joinpath("resources", *parts)
        return candidate if candidate.exists() else None
    import importlib.resources

    root = importlib.resources.files("tokenlab") / "resources"
    if not isinstance(root, Path):  # a zipped package: no file system path to hand out
        return None
    candidate = root.joinpath(*parts)
    return candidate if candidate.exists() else None


def resource_path(*parts: str) -> Path:
    """The path of ``resources/<parts...>``: packaged copy first, then the source tree.

    The path may not exist (callers decide what a missing resource means).
    """
    return _packaged(parts) or _REPO_RESOURCES.joinpath(*parts)
