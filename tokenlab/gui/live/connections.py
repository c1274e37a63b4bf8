"""The Live tab's connection definitions: specs, presets, options building and the list model.

A ``ConnectionSpec`` is what the user edits (endpoint, auth mode and its fields). ``build_options``
turns it into realtime ``ClientOptions`` given the keys the app knows; bad input gives a
``UserError`` naming the field. ``ConnectionListModel`` lists the connections with their live
state and clientId, updated from event-log batches.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from tokenlab.core.errors import UserError
from tokenlab.core.keys import ApiKey
from tokenlab.gui.context import KeyChoice
from tokenlab.gui.live.log_store import LogEntry
from tokenlab.realtime.credentials import CredentialInput
from tokenlab.realtime.credentials import build_auth as build_credentials
from tokenlab.realtime.events import ClientIdResolved, StateChanged
from tokenlab.realtime.options import AuthConfig, ClientOptions, Endpoint, IssuedKind

EndpointKind = Literal["sandbox", "ably", "custom"]
AuthMode = Literal["key", "token", "auth_url", "issuer"]
ModelIndex = QModelIndex | QPersistentModelIndex
SPEC_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
Pairs = tuple[tuple[str, str], ...]

ENDPOINT_LABELS: dict[EndpointKind, str] = {
    "sandbox": "Embedded sandbox",
    "ably": "Ably (production)",
    "custom": "Custom URL",
}
AUTH_LABELS: dict[AuthMode, str] = {
    "issuer": "Built-in issuer (authCallback)",
    "key": "API key (basic auth)",
    "token": "Pasted token, TokenDetails or TokenRequest",
    "auth_url": "authUrl",
}
ISSUER_LABELS: dict[IssuedKind, str] = {
    "token_request": "TokenRequest",
    "jwt": "Ably JWT",
    "token": "Ably token (requestToken)",
}


@dataclass(frozen=True)
class ConnectionSpec:
    """Everything one named connection is made of, as the user entered it."""

    name: str
    endpoint: EndpointKind = "sandbox"
    custom_url: str = ""
    auth_mode: AuthMode = "issuer"
    key_name: str = ""
    use_token_auth: bool = False
    token: str = ""
    auth_url: str = ""
    auth_method: Literal["GET", "POST"] = "GET"
    auth_params: Pairs = ()
    auth_headers: Pairs = ()
    issuer_kind: IssuedKind = "token_request"
    issuer_client_id: str = ""
    capability: str = '{"*":["*"]}'
    ttl_s: int = 60
    client_id: str = ""  # the clientId *option* (ClientOptions.clientId)

    def describe(self) -> str:
        mode = AUTH_LABELS[self.auth_mode]
        if self.auth_mode == "issuer":
            who = self.issuer_client_id or "no clientId"
            mode = f"{ISSUER_LABELS[self.issuer_kind]} ({who}, {self.ttl_s} s)"
        return f"{ENDPOINT_LABELS[self.endpoint]} · {mode}"


SANDBOX_PLACEHOLDER = "{sandbox}"
PRESETS: dict[str, ConnectionSpec] = {
    "Alice": ConnectionSpec("Alice", issuer_kind="token_request", issuer_client_id="alice"),
    "Bob": ConnectionSpec("Bob", issuer_kind="token", issuer_client_id="*"),
    "Anonymous": ConnectionSpec("Anonymous", issuer_kind="jwt"),
    "Basic": ConnectionSpec("Basic", auth_mode="key", client_id="basic-user"),
    "Reader": ConnectionSpec(
        "Reader",
        issuer_kind="token_request",
        issuer_client_id="reader",
        capability='{"*":["subscribe"]}',
    ),
    "Carol (authUrl)": ConnectionSpec(
        "Carol",
        auth_mode="auth_url",
        auth_url=SANDBOX_PLACEHOLDER + "/auth/jwt",
        auth_params=(("clientId", "carol"), ("ttl", "60000"), ("key", "revocable")),
    ),
}
PRESET_TIPS: dict[str, str] = {
    "Alice": "A TokenRequest for clientId 'alice' (60 s TTL): an identified client whose "
    "messages the server stamps 'alice'; watch the token renew before it expires",
    "Bob": "A wildcard ('*') Ably token and no clientId option: Bob may publish as any "
    "clientId ('As clientId'), but has no identity of his own, so presence is refused (91000)",
    "Anonymous": "An Ably JWT without a clientId: messages carry no clientId, presence is "
    "refused (91000) and claiming a clientId is refused",
    "Basic": "Basic auth with the API key itself, claiming clientId 'basic-user' through the "
    "clientId option: the key may claim any identity, and there is no token to renew",
    "Reader": 'A subscribe-only token ({"*":["subscribe"]}) for \'reader\': attach works, '
    "but Publish is denied with 40160 by the server",
    "Carol (authUrl)": "JWTs for clientId 'carol' from the sandbox's demo auth server (authUrl)",
}
# Which sandbox demo key each preset uses by default (the rest use "revocable").
PRESET_KEYS: dict[str, str] = {"Basic": "full"}


def preset(
    name: str, key_name: str, taken: Sequence[str], sandbox_rest: str | None = None
) -> ConnectionSpec:
    """A copy of the preset with a unique name, the given key and the sandbox's address."""
    base = PRESETS.get(name) or ConnectionSpec("Connection")
    auth_url = base.auth_url.replace(SANDBOX_PLACEHOLDER, sandbox_rest or "http://127.0.0.1")
    return dataclasses.replace(
        base, name=unique_name(base.name, taken), key_name=key_name, auth_url=auth_url
    )


def production_warning(spec: ConnectionSpec, choices: Sequence[KeyChoice]) -> str | None:
    """A sandbox key sent to Ably production is refused there: say so before connecting."""
    if spec.endpoint != "ably" or spec.auth_mode not in ("key", "issuer"):
        return None
    choice = next((c for c in choices if c.key_name == spec.key_name), None)
    if choice is None or choice.source != "sandbox":
        return None
    return (
        f"{spec.key_name} is a key of the embedded sandbox: Ably production does not know "
        "it and will refuse the connection (40400/40101). Choose one of your own keys, or "
        "press Connect again to try anyway."
    )


def unique_name(base: str, taken: Sequence[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


# Never saved: a literal token is a credential, headers often carry one (Authorization).
UNSAVED_FIELDS = frozenset({"token", "auth_headers"})


def spec_to_state(spec: ConnectionSpec) -> dict[str, Any]:
    """A JSON-ready form for settings (``tab_state``), without credentials."""
    state = {k: v for k, v in dataclasses.asdict(spec).items() if k not in UNSAVED_FIELDS}
    state["auth_params"] = [list(pair) for pair in spec.auth_params]
    return state


def spec_from_state(state: Mapping[str, Any]) -> ConnectionSpec | None:
    """The spec saved by ``spec_to_state``; None if it does not fit (an older or edited file)."""
    names = {f.name for f in dataclasses.fields(ConnectionSpec)} - UNSAVED_FIELDS
    values = {k: v for k, v in state.items() if k in names}
    try:
        values["auth_params"] = tuple((str(k), str(v)) for k, v in values.get("auth_params", ()))
        spec = ConnectionSpec(**values)
    except (TypeError, ValueError):
        return None
    ok = spec.endpoint in ENDPOINT_LABELS and spec.auth_mode in AUTH_LABELS
    return spec if ok and spec.issuer_kind in ISSUER_LABELS and spec.name else None


def format_pairs(pairs: Pairs, sep: str = "=") -> str:
    return "\n".join(f"{k}{sep}{v}" for k, v in pairs)


@dataclass(frozen=True)
class Endpoints:
    """Where the sandbox is (if anywhere) and how to reach Ably."""

    sandbox_ws: str | None
    sandbox_rest: str | None


def build_endpoint(spec: ConnectionSpec, endpoints: Endpoints) -> Endpoint:
    if spec.endpoint == "ably":
        return Endpoint.production()
    if spec.endpoint == "custom":
        return Endpoint.from_url(spec.custom_url.strip())
    if endpoints.sandbox_ws and endpoints.sandbox_rest:
        return Endpoint.sandbox(endpoints.sandbox_ws, endpoints.sandbox_rest)
    if endpoints.sandbox_rest:
        return Endpoint.from_url(endpoints.sandbox_rest)
    raise UserError(
        "No sandbox is running (tokenlab was started with --no-sandbox).",
        code="live.no_sandbox",
        fix="Choose Ably or a custom URL as the endpoint.",
    )


def credential_input(spec: ConnectionSpec, keys: Mapping[str, ApiKey]) -> CredentialInput:
    """The connection editor's fields as the input of the builder ``tokenlab watch`` uses."""
    key = keys.get(spec.key_name)
    if key is None and (spec.auth_mode == "issuer" or spec.auth_mode == "key"):
        raise UserError(
            f"{spec.name}: choose an API key (no secret known for {spec.key_name or 'none'!r}).",
            code="live.no_key",
            fix="Pick a sandbox demo key or add a key profile (Keys menu).",
        )
    return CredentialInput(
        spec.auth_mode,
        key=key,
        use_token_auth=spec.use_token_auth,
        token=spec.token,
        auth_url=spec.auth_url,
        auth_method=spec.auth_method,
        auth_params=dict(spec.auth_params),
        auth_headers=dict(spec.auth_headers),
        issuer_kind=spec.issuer_kind,
        issuer_client_id=spec.issuer_client_id,
        issuer_capability=spec.capability,
        issuer_ttl_ms=spec.ttl_s * 1000 if spec.ttl_s > 0 else None,
        label=spec.name,
    )


def build_auth(spec: ConnectionSpec, keys: Mapping[str, ApiKey]) -> AuthConfig:
    return build_credentials(credential_input(spec, keys))


def build_options(
    spec: ConnectionSpec,
    keys: Mapping[str, ApiKey],
    endpoints: Endpoints,
    **overrides: Any,
) -> ClientOptions:
    """Realtime options for ``spec``; UserError (never a crash) for anything unusable."""
    options = ClientOptions(
        endpoint=build_endpoint(spec, endpoints),
        auth=build_auth(spec, keys),
        client_id=spec.client_id.strip() or None,
        **overrides,
    )
    options.validate()
    return options


@dataclass
class _Row:
    spec: ConnectionSpec
    state: str = "initialized"
    client_id: str | None = None
    reason: str | None = None


class ConnectionListModel(QAbstractListModel):
    """The named connections, with state and clientId as the events report them."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        state_colour: Callable[[str], QColor] | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._state_colour = state_colour

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            who = f" · {row.client_id}" if row.client_id else ""
            return f"{row.spec.name}  —  {row.state}{who}"
        if role == Qt.ItemDataRole.ToolTipRole:
            reason = f"\nLast error: {row.reason}" if row.reason else ""
            return f"{row.spec.describe()}{reason}"
        if role == Qt.ItemDataRole.DecorationRole and self._state_colour is not None:
            return self._state_colour(row.state)
        if role == SPEC_ROLE:
            return row.spec
        if role == STATE_ROLE:
            return row.state
        return None

    def names(self) -> list[str]:
        return [r.spec.name for r in self._rows]

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.spec.name == name), -1)

    def spec(self, row: int) -> ConnectionSpec:
        return self._rows[row].spec

    def state_of(self, name: str) -> str:
        row = self.row_of(name)
        return self._rows[row].state if row >= 0 else "initialized"

    def add(self, spec: ConnectionSpec) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(_Row(spec))
        self.endInsertRows()
        return row

    def replace(self, row: int, spec: ConnectionSpec) -> None:
        self._rows[row].spec = spec
        self._changed(row)

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    def _changed(self, row: int) -> None:
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def apply_entries(self, entries: Sequence[LogEntry]) -> None:
        """Follow state and clientId changes in a flushed batch (one dataChanged per row)."""
        touched: set[int] = set()
        rows = {r.spec.name: i for i, r in enumerate(self._rows)}
        for entry in entries:
            i = rows.get(entry.connection)
            body = entry.payload
            if i is None or not isinstance(body, StateChanged | ClientIdResolved):
                continue
            row = self._rows[i]
            if isinstance(body, StateChanged):
                row.state = body.current
                row.reason = str(body.reason) if body.reason is not None else row.reason
            else:
                row.client_id = body.client_id
            touched.add(i)
        for i in sorted(touched):
            self._changed(i)
