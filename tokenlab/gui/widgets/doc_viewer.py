"""A non-modal window showing one of tokenlab's Markdown documents (``resources/docs``).

Used by Help > Sandbox compatibility. A missing document is said in the window, never raised.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout, QWidget

from tokenlab.core.paths import resource


def doc_text(name: str) -> str:
    path = resource("docs", name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"# {name}\n\nThis document is missing from the installation ({exc.strerror})."


class DocViewer(QDialog):
    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 640)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        self.browser.setMarkdown(doc_text(name))
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
