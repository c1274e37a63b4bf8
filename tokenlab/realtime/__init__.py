"""The tokenlab realtime client: a thin, inspectable Ably realtime protocol client (no Qt).

Public API: ``ConnectionManager`` / ``Connection`` (state machine, renewal, channels),
``ClientOptions`` with ``Endpoint``, ``Timeouts`` and one of the auth configurations
(``KeyAuth``, ``TokenAuth``, ``AuthUrlAuth``, ``AuthCallbackAuth``, ``IssuerAuth``), the typed
events in ``events``, the ``EventStream``, and the NDJSON / Markdown exports.
"""

from tokenlab.core.wire import Action
from tokenlab.realtime.auth import AuthProviderError, CannotRenewError, ObtainedToken
from tokenlab.realtime.channels import Channel
from tokenlab.realtime.connection import Connection
from tokenlab.realtime.events import Event
from tokenlab.realtime.export import (
    event_to_dict,
    to_markdown,
    to_ndjson,
    write_markdown,
    write_ndjson,
)
from tokenlab.realtime.manager import ConnectionManager
from tokenlab.realtime.options import (
    AuthCallbackAuth,
    AuthConfig,
    AuthUrlAuth,
    ClientOptions,
    Endpoint,
    IssuerAuth,
    KeyAuth,
    Timeouts,
    TokenAuth,
)
from tokenlab.realtime.presence import PresenceMember
from tokenlab.realtime.protocol import ErrorInfo
from tokenlab.realtime.stream import EventStream, StreamStats, Subscription

__all__ = [
    "Action",
    "AuthCallbackAuth",
    "AuthConfig",
    "AuthProviderError",
    "AuthUrlAuth",
    "CannotRenewError",
    "Channel",
    "ClientOptions",
    "Connection",
    "ConnectionManager",
    "Endpoint",
    "ErrorInfo",
    "Event",
    "EventStream",
    "IssuerAuth",
    "KeyAuth",
    "ObtainedToken",
    "PresenceMember",
    "StreamStats",
    "Subscription",
    "Timeouts",
    "TokenAuth",
    "event_to_dict",
    "to_markdown",
    "to_ndjson",
    "write_markdown",
    "write_ndjson",
]
