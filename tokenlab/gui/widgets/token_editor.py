"""TokenEditor: a monospace editor that colours the parts of a token and accepts any paste.

Colouring uses the inspector's segment ranges (character offsets into the whole text) through a
``QSyntaxHighlighter``, so editing stays fast. Header, claims and signature keep the app-wide
part colours. With masking on, signatures and secrets are painted as solid bars (the text stays
editable but cannot be read on a projector or a screenshot). Pasting or dropping a file inserts
the file's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextDocument, QTextOption
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from tokenlab.core.errors import UserError
from tokenlab.core.masking import secret_spans
from tokenlab.gui import theme
from tokenlab.gui.widgets.common import MonoText
from tokenlab.gui.widgets.files import read_text_file

if TYPE_CHECKING:
    from PySide6.QtGui import QTextCharFormat

    from tokenlab.core.report import InspectionReport

# inspector Part value -> theme part colour
PART_THEME = {
    "header": "header",
    "claims": "claims",
    "signature": "signature",
    "token": "other",
    "key_name": "header",
    "secret": "signature",
}
MASKED_PARTS = frozenset({"signature", "secret"})


@dataclass(frozen=True)
class ColourRange:
    part: str  # an inspector Part value: header, claims, signature, token, key_name, ...
    start: int
    end: int


def ranges_from_report(report: InspectionReport) -> list[ColourRange]:
    """The colour ranges of an inspection report (segments index into the inspected text)."""
    return [ColourRange(s.part.value, s.start, s.end) for s in report.segments]


class PartHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._ranges: tuple[ColourRange, ...] = ()
        self.masked = False

    def set_ranges(self, ranges: Sequence[ColourRange]) -> None:
        self._ranges = tuple(ranges)
        self.rehighlight()

    def set_masked(self, masked: bool) -> None:
        self.masked = masked
        self.rehighlight()

    def _format(self, part: str) -> QTextCharFormat:
        # imported on first use: wrapping QTextCharFormat costs ~2 ms the first frame can skip
        from PySide6.QtGui import QTextCharFormat

        fmt = QTextCharFormat()
        if part == "wrapper":
            fmt.setForeground(theme.muted_colour())
            return fmt
        colour = theme.part_colour(PART_THEME.get(part, "other"))
        fmt.setForeground(colour)
        if part in ("header", "key_name"):
            fmt.setFontWeight(QFont.Weight.DemiBold)
        if self.masked and part in MASKED_PARTS:
            fmt.setBackground(colour)
        return fmt

    def masked_ranges(self) -> list[ColourRange]:
        """What is painted over while masking: signatures and secrets the inspector found,
        plus credentials in the text itself (a MAC in TokenRequest JSON, a key in a URL)."""
        if not self.masked:
            return []
        found = [r for r in self._ranges if r.part in MASKED_PARTS]
        text = self.document().toPlainText()
        return found + [ColourRange("secret", a, b) for a, b in secret_spans(text)]

    def highlightBlock(self, text: str) -> None:
        start = self.currentBlock().position()
        end = start + len(text)
        for rng in (*self._ranges, *self.masked_ranges()):
            lo, hi = max(rng.start, start), min(rng.end, end)
            if lo < hi:
                self.setFormat(lo - start, hi - lo, self._format(rng.part))


class TokenEditor(MonoText):
    """Plain-text token input; ``text_edited`` fires on every change."""

    text_edited = Signal(str)
    file_rejected = Signal(str)  # a dropped/pasted file that could not be read: the reason

    def __init__(self, parent: QWidget | None = None, *, placeholder: str = "") -> None:
        super().__init__(parent)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.setTabChangesFocus(True)
        self.setPlaceholderText(placeholder)
        self.highlighter = PartHighlighter(self.document())
        self._last_text = ""
        self.textChanged.connect(self._on_text_changed)

    def _on_text_changed(self) -> None:
        # re-highlighting also fires textChanged (format-only changes): ignore those
        text = self.toPlainText()
        if text != self._last_text:
            self._last_text = text
            self.text_edited.emit(text)

    def text(self) -> str:
        return self.toPlainText()

    def set_text(self, text: str) -> None:
        if text != self.toPlainText():
            self.setPlainText(text)

    def set_ranges(self, ranges: Sequence[ColourRange]) -> None:
        self.highlighter.set_ranges(ranges)

    def set_masked(self, masked: bool) -> None:
        self.highlighter.set_masked(masked)

    def displayed_text(self) -> str:
        """The text as it can be read on screen: masked parts (painted as bars) as bullets."""
        text = self.toPlainText()
        if not self.highlighter.masked:
            return text
        chars = list(text)
        for rng in self.highlighter.masked_ranges():
            chars[rng.start : rng.end] = "•" * len(chars[rng.start : rng.end])
        return "".join(chars)

    def selection_colour(self) -> QColor:
        return self.palette().highlight().color()

    # paste and drop: take plain text or a file's text, never rich text ------------------------

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasText() or source.hasUrls()

    def insertFromMimeData(self, source: QMimeData) -> None:
        local = [u for u in source.urls() if u.isLocalFile()]
        if local:
            try:
                text = read_text_file(Path(local[0].toLocalFile()))
            except UserError as exc:
                self.file_rejected.emit(exc.message)
                return
            self.setPlainText(text)
            return
        if source.hasText():
            self.insertPlainText(source.text())
