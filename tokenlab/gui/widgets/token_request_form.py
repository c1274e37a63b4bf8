"""TokenRequestForm: the inputs of a TokenRequest, each with its unit and limit spelled out.

Key, clientId mode (none / explicit / wildcard), ttl with a unit, capability, timestamp (this
computer's clock or the server's, via ``GET /time``) and nonce. ``params()`` returns the
TokenParams to sign plus the problems Ably would object to; a problem never stops signing, so
learners can exchange a bad request and see Ably's error.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core import timefmt
from tokenlab.core.clock import random_nonce
from tokenlab.core.errors import CapabilityError, TokenRequestError, UserError
from tokenlab.core.tokens import MAX_TTL_MS, MIN_NONCE_LENGTH, TokenParams, validate_ttl
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext
from tokenlab.gui.widgets.capability_editor import CapabilityEditor
from tokenlab.gui.widgets.common import FeedbackLabel, MonoLine
from tokenlab.gui.widgets.key_picker import KeyPicker

# The timestamp follows the clock: it is stamped again whenever the request is rebuilt, copied
# or sent, and once it is this old, so what is shown is always inside Ably's ±2 min window.
RESTAMP_AFTER_MS = 60_000
TTL_UNITS = (("ms", 1), ("s", 1000), ("min", 60_000), ("h", 3_600_000))
TTL_HINT = "0 = omit: the server's default, 60 min. Max 24 h (1 h for revocable keys)."
CLIENT_ID_MODES = ("none", "explicit", "wildcard")


def _stacked(*widgets: QWidget) -> QWidget:
    """Widgets one above the other with no margins (a field and its inline feedback)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return box


async def _server_time_offset(ctx: AppContext, rest_url: str | None) -> int:
    from tokenlab.realtime.rest import AblyRest  # httpx: imported on first use

    return await AblyRest(rest_url, client=ctx.http).time_offset(ctx.now_ms)


class TokenRequestForm(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.offset_ms = 0
        self.timestamp_ms = ctx.now_ms()
        self.keys = KeyPicker(ctx)
        self._build_client_id()
        self._build_ttl()
        self.capability = CapabilityEditor()
        self._build_timestamp()
        self.nonce = MonoLine(random_nonce())
        self.nonce.setAccessibleName("Nonce")
        new_nonce = QPushButton("New")
        new_nonce.setAccessibleName("New nonce")
        new_nonce.clicked.connect(lambda: self.nonce.setText(random_nonce()))
        nonce_row = QHBoxLayout()
        nonce_row.addWidget(self.nonce, 1)
        nonce_row.addWidget(new_nonce)
        form = QFormLayout(self)
        form.addRow("Key", self.keys)
        form.addRow("clientId", _stacked(self.client_row, self.client_id_feedback))
        form.addRow("ttl", _stacked(self.ttl_row, self.ttl_hint))
        form.addRow("Capability", self.capability)
        form.addRow("timestamp", _stacked(self.time_row, self.timestamp_label, self.time_feedback))
        form.addRow("nonce", nonce_row)
        self._connect()

    def _build_client_id(self) -> None:
        self.client_mode = QButtonGroup(self)
        self.client_row = QWidget()
        row = QHBoxLayout(self.client_row)
        row.setContentsMargins(0, 0, 0, 0)
        for i, (mode, text) in enumerate(
            zip(CLIENT_ID_MODES, ("None", "Explicit", "Wildcard *"), strict=True)
        ):
            button = QRadioButton(text)
            button.setAccessibleName(f"clientId {mode}")
            self.client_mode.addButton(button, i)
            row.addWidget(button)
        self.client_id = QLineEdit(placeholderText="e.g. alice@example.com")
        self.client_id.setAccessibleName("Explicit clientId")
        row.addWidget(self.client_id, 1)
        self.client_mode.button(1).setChecked(True)
        self.client_id.setText("alice")
        self.client_id_feedback = FeedbackLabel("clientId feedback")

    def _build_ttl(self) -> None:
        self.ttl = QSpinBox()
        self.ttl.setRange(0, 100_000_000)
        self.ttl.setSpecialValueText("omit (server default)")
        self.ttl.setValue(60)
        self.ttl.setAccessibleName("ttl value")
        self.ttl_unit = QComboBox()
        for label, factor in TTL_UNITS:
            self.ttl_unit.addItem(label, factor)
        self.ttl_unit.setCurrentIndex(2)
        self.ttl_unit.setAccessibleName("ttl unit")
        self.ttl_ms_label = QLabel()
        self.ttl_row = QWidget()
        row = QHBoxLayout(self.ttl_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ttl)
        row.addWidget(self.ttl_unit)
        row.addWidget(self.ttl_ms_label, 1)
        self.ttl_hint = QLabel(TTL_HINT, wordWrap=True)
        self.ttl_hint.setAccessibleName("ttl limits")
        theme.set_text_colour(self.ttl_hint, theme.muted_colour())

    def _build_timestamp(self) -> None:
        self.clock = QComboBox()
        self.clock.addItem("This computer's clock", "local")
        self.clock.addItem("Server time (GET /time)", "server")
        self.clock.setAccessibleName("Timestamp source")
        refresh = QPushButton("Now")
        refresh.setAccessibleName("New timestamp")
        refresh.clicked.connect(self.refresh_timestamp)
        self.timestamp_label = QLabel()
        self.timestamp_label.setAccessibleName("Timestamp")
        self.time_row = QWidget()
        row = QHBoxLayout(self.time_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.clock, 1)
        row.addWidget(refresh)
        self.time_feedback = FeedbackLabel("Timestamp feedback")

    def _connect(self) -> None:
        self.keys.key_changed.connect(self._on_key_changed)
        self.client_mode.idToggled.connect(lambda *_: self._emit())
        self.client_id.textChanged.connect(self._emit)
        self.ttl.valueChanged.connect(self._emit)
        self.ttl_unit.currentIndexChanged.connect(self._emit)
        self.capability.capability_changed.connect(self._emit)
        self.nonce.textChanged.connect(self._emit)
        self.clock.currentIndexChanged.connect(self._on_clock_changed)

    # values ------------------------------------------------------------------------------------

    def ttl_ms(self) -> int | None:
        value = self.ttl.value() * int(self.ttl_unit.currentData())
        return value or None

    def client_id_value(self) -> str | None:
        mode = CLIENT_ID_MODES[max(self.client_mode.checkedId(), 0)]
        if mode == "none":
            return None
        return "*" if mode == "wildcard" else self.client_id.text()

    def params(self) -> tuple[TokenParams, list[UserError]]:
        """The params to sign, stamped now (timestamp and nonce included), and what Ably
        would reject."""
        self.timestamp_ms = self.ctx.now_ms() + self.offset_ms
        problems: list[UserError] = []
        client_id = self.client_id_value()
        if client_id == "":
            problems.append(
                TokenRequestError(
                    "An explicit clientId cannot be empty.", code="client_id.empty", ably_code=40012
                )
            )
        ttl = self.ttl_ms()
        choice = self.keys.current()
        try:
            validate_ttl(ttl, revocable=bool(choice and choice.revocable))
        except UserError as exc:
            problems.append(exc)
        try:
            self.capability.parsed()
        except CapabilityError as exc:
            problems.append(exc)
        nonce = self.nonce.text()
        if len(nonce) < MIN_NONCE_LENGTH:
            problems.append(
                TokenRequestError(
                    f"The nonce has {len(nonce)} characters; Ably requires at least "
                    f"{MIN_NONCE_LENGTH}.",
                    code="token_request.short_nonce",
                    ably_code=40001,
                )
            )
        params = TokenParams(
            ttl=ttl,
            capability=self.capability.raw(),
            client_id=client_id or None,
            timestamp=self.timestamp_ms,
            nonce=nonce,
        )
        return params, problems

    # behaviour ---------------------------------------------------------------------------------

    def refresh_timestamp(self) -> None:
        self.timestamp_ms = self.ctx.now_ms() + self.offset_ms
        self._emit()

    def tick(self) -> None:
        """Once a second: show how old the timestamp is against Ably's ±2 min window, and
        stamp it again before it gets near the edge."""
        age = self.ctx.now_ms() + self.offset_ms - self.timestamp_ms
        if abs(age) >= RESTAMP_AFTER_MS:
            self.refresh_timestamp()  # emits: the request is rebuilt with the new time
            return
        self._show_timestamp()

    def _show_timestamp(self) -> None:
        age = self.ctx.now_ms() + self.offset_ms - self.timestamp_ms
        stale = abs(age) > 120_000
        text = (
            f"{self.timestamp_ms}  ({timefmt.relative(self.timestamp_ms, self.timestamp_ms + age)})"
        )
        self.timestamp_label.setText(text)
        self.timestamp_label.setToolTip(timefmt.iso_utc(self.timestamp_ms))
        if stale:
            self.time_feedback.show_message(
                "Older than 2 minutes: Ably would refuse it (40104). Press Now.", "error"
            )
        elif self.time_feedback.text().startswith("Older"):
            self.time_feedback.clear_message()

    def _emit(self) -> None:
        ttl = self.ttl_ms()
        self.ttl_ms_label.setText(
            f"= {ttl} ms ({timefmt.duration(ttl)})" if ttl else "= omitted (60 min)"
        )
        too_long = (ttl or 0) > MAX_TTL_MS
        theme.set_text_colour(
            self.ttl_ms_label, theme.severity_colour("error" if too_long else "info")
        )
        explicit = self.client_mode.checkedId() == 1
        self.client_id.setEnabled(explicit)
        if explicit and not self.client_id.text():
            self.client_id_feedback.show_message(
                "Empty clientId: Ably refuses it (40012).", "error"
            )
        else:
            self.client_id_feedback.clear_message()
        self._show_timestamp()
        self.changed.emit()

    def _on_key_changed(self) -> None:
        if self.clock.currentData() == "server":
            self._fetch_server_time()
        self._emit()

    def _on_clock_changed(self) -> None:
        if self.clock.currentData() == "server":
            self._fetch_server_time()
        else:
            self.offset_ms = 0
            self.time_feedback.clear_message()
            self.refresh_timestamp()

    def _fetch_server_time(self) -> None:
        choice = self.keys.current()
        rest_url = choice.rest_url if choice else None
        self.time_feedback.show_message("Asking the server for its time…", "info")
        self.ctx.runner.submit(
            lambda: _server_time_offset(self.ctx, rest_url),
            on_ok=self._on_offset,
            on_error=self.time_feedback.show_error,
            owner=self,
            key="server_time",
            label="Fetching server time…",
        )

    def _on_offset(self, offset: int) -> None:
        self.offset_ms = offset
        sign = "+" if offset >= 0 else "−"
        self.time_feedback.show_message(
            f"Server clock is {sign}{timefmt.duration(offset)} from this computer's.", "ok"
        )
        self.refresh_timestamp()
