"""Reading text from dropped files and drag-and-drop payloads (bounded in size)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData

from tokenlab.core.errors import UserError

MAX_FILE_BYTES = 1_000_000


def read_text_file(path: Path) -> str:
    """A small text file's contents; ``UserError`` when it is too big, binary or unreadable."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UserError(
                f"{path.name} is {size // 1024} KiB; tokens are far smaller.",
                code="file.too_big",
                fix="Drop the file holding just the token, JSON or key.",
            )
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path.name} is not UTF-8 text.", code="file.binary") from exc
    except OSError as exc:
        raise UserError(f"{path.name} cannot be read: {exc.strerror}.", code="file.read") from exc


def read_dropped_text(mime: QMimeData) -> str | None:
    """Text from the first dropped local file, else the dropped text; None if neither.

    Raises ``UserError`` when the dropped file cannot be used.
    """
    for url in mime.urls():
        if url.isLocalFile():
            return read_text_file(Path(url.toLocalFile()))
    return mime.text() if mime.hasText() else None
