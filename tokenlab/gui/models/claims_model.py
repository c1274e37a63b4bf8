"""Header fields and claims as a table (``core.claims.Field`` rows), with times made readable.

Columns: part, name, value, meaning. A time claim (iat, exp, nbf, or the issued / expires /
timestamp fields) shows its value in the chosen format (relative, local or UTC) with the other
two forms and the raw number on hover. Relative times are recomputed by ``refresh_times``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt

from tokenlab.core import timefmt
from tokenlab.core.claims import Field
from tokenlab.core.masking import mask_secret, mask_text
from tokenlab.core.timefmt import TimeInfo
from tokenlab.gui import theme
from tokenlab.gui.models.base import RowTableModel

COLUMNS = ("Part", "Name", "Value", "Meaning")
SECRET_FIELDS = frozenset({"mac", "x-ably-token", "token", "keySecret", "secret"})


@dataclass(frozen=True)
class ClaimRow:
    part: str  # "header" or "claims"
    field: Field
    time: TimeInfo | None


def time_text(info: TimeInfo, fmt: str, now_ms: int) -> str:
    if fmt == "utc":
        return timefmt.iso_utc(info.epoch_ms)
    if fmt == "local":
        return timefmt.local(info.epoch_ms)
    return timefmt.relative(info.epoch_ms, now_ms)


def time_tooltip(info: TimeInfo, now_ms: int) -> str:
    return (
        f"{info.label}: {timefmt.relative(info.epoch_ms, now_ms)}\n"
        f"UTC: {timefmt.iso_utc(info.epoch_ms)}\nLocal: {timefmt.local(info.epoch_ms)}\n"
        f"Epoch: {info.epoch_ms} ms"
    )


class ClaimsModel(RowTableModel[ClaimRow]):
    columns = COLUMNS

    def __init__(self, now_ms: Callable[[], int], parent: Any = None) -> None:
        super().__init__(parent)
        self._now_ms = now_ms
        self.time_format = "relative"
        self.masked = False

    def set_masked(self, masked: bool) -> None:
        if masked != self.masked:
            self.masked = masked
            self.refresh_times()  # repaints the value column

    @property
    def rows(self) -> tuple[ClaimRow, ...]:
        return self._rows

    def set_fields(
        self, header: Sequence[Field], claims: Sequence[Field], times: Sequence[TimeInfo]
    ) -> None:
        by_name = {t.name: t for t in times}
        rows = [ClaimRow("header", f, None) for f in header]
        rows += [ClaimRow("claims", f, by_name.get(f.name)) for f in claims]
        self.reset_rows(rows)

    def set_time_format(self, fmt: str) -> None:
        self.time_format = fmt
        self.refresh_times()

    def refresh_times(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 2), self.index(len(self._rows) - 1, 2))

    def row_data(self, row: ClaimRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._masked_value(row, column, self._display(row, column))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._masked_value(row, column, self._tooltip(row, column))
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return theme.part_colour(row.part)
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and not row.field.known:
            return theme.muted_colour()
        return None

    def _masked_value(self, row: ClaimRow, column: int, text: str) -> str:
        """With masking on: a credential field (a MAC, an embedded token) as a stable mask,
        and credentials inside any other value (a key in a URL) masked where they stand."""
        if not self.masked or column != 2:
            return text
        if row.field.name in SECRET_FIELDS:
            return mask_secret(text)
        return mask_text(text)

    def _display(self, row: ClaimRow, column: int) -> str:
        if column == 0:
            return "Header" if row.part == "header" else "Claims"
        if column == 1:
            return row.field.name
        if column == 2:
            if row.time is not None:
                when = time_text(row.time, self.time_format, self._now_ms())
                return f"{row.field.display}  ({when})"
            return row.field.display
        return row.field.explanation

    def _tooltip(self, row: ClaimRow, column: int) -> str:
        if column == 2 and row.time is not None:
            return time_tooltip(row.time, self._now_ms())
        if column == 2:
            return row.field.display
        return f"{row.field.name}: {row.field.explanation}"
