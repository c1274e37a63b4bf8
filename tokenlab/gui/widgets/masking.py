"""Masking for widgets (the View menu's "Mask secrets"), one mechanism for every tab.

Text that is only shown is masked with ``mask_secret`` / ``mask_text`` (``tokenlab.core.masking``:
a stable mask keeping the last 4 characters). Text the user edits cannot be rewritten, so
``MaskedText`` paints every credential found in it as a solid bar (all but its last 4
characters) while masking is on: unreadable on a projector, still editable.
"""

from __future__ import annotations

from PySide6.QtGui import (
    QGuiApplication,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QWidget

from tokenlab.core.masking import MASK, mask_jwt, mask_secret, mask_text, secret_spans
from tokenlab.gui.widgets.common import MonoText

__all__ = ["MASK", "MaskedText", "mask_jwt", "mask_secret", "mask_text"]


class SecretHighlighter(QSyntaxHighlighter):
    """Paints credentials as bars of the text colour while ``masked``."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.masked = False

    def set_masked(self, masked: bool) -> None:
        if masked != self.masked:
            self.masked = masked
            self.rehighlight()

    def spans(self) -> list[tuple[int, int]]:
        return secret_spans(self.document().toPlainText()) if self.masked else []

    def highlightBlock(self, text: str) -> None:
        start = self.currentBlock().position()
        end = start + len(text)
        colour = QGuiApplication.palette().color(QPalette.ColorRole.Text)
        bar = QTextCharFormat()
        bar.setBackground(colour)
        bar.setForeground(colour)
        for a, b in self.spans():
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                self.setFormat(lo - start, hi - lo, bar)


class MaskedText(MonoText):
    """An editable monospace text whose credentials are painted over while masking is on."""

    def __init__(self, parent: QWidget | None = None, *, read_only: bool = False) -> None:
        super().__init__(parent, read_only=read_only)
        self.secret_highlighter = SecretHighlighter(self.document())

    def set_masked(self, masked: bool) -> None:
        self.secret_highlighter.set_masked(masked)

    def displayed_text(self) -> str:
        """The text as it can be read on screen (painted-over parts as bullets)."""
        chars = list(self.toPlainText())
        for a, b in self.secret_highlighter.spans():
            chars[a:b] = "•" * len(chars[a:b])
        return "".join(chars)
