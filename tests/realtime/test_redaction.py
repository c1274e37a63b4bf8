"""No key secret survives an export: every legal secret (any character but ':', '.' and
whitespace, so '+ / = ~' and non-ASCII too), raw, URL-encoded or as Basic auth, and authParams
whose names say secret, in watch output (timeline, --frames, --json), NDJSON and Markdown."""

from __future__ import annotations

import base64
import io
import json
from urllib.parse import quote, quote_plus, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokenlab.commands.watch import Printer
from tokenlab.core.redact import MASK, redact_text, redact_value
from tokenlab.realtime.events import (
    Event,
    FrameSent,
    HttpExchange,
    MessageReceived,
    Note,
    StateChanged,
)
from tokenlab.realtime.export import to_markdown, to_ndjson
from tokenlab.realtime.protocol import ErrorInfo

KEY_NAME = "xVLyHw.k3yId"
# Every character Ably allows in a secret: anything but ':', '.' and whitespace.
LEGAL = st.characters(
    codec="utf-8", exclude_characters=":.", exclude_categories=("Zs", "Zl", "Zp", "Cc", "Cs")
)
# A distinctive start, so that finding the secret in an export cannot be a coincidence; the
# rest (and the end, where redaction must stop) is drawn from the whole legal alphabet.
secrets = st.text(alphabet=LEGAL, min_size=9, max_size=40).map(lambda s: "Sx7" + s)


def forms(secret: str) -> set[str]:
    """The ways a secret can appear in an export: raw, JSON-escaped, URL-encoded, base64."""
    full = f"{KEY_NAME}:{secret}"
    return {
        secret,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(full.encode()).decode(),
    }


def events_carrying(secret: str) -> list[Event]:
    full = f"{KEY_NAME}:{secret}"
    basic = base64.b64encode(full.encode()).decode()
    query = urlencode({"key": full, "v": "6", "format": "json"})
    auth_params = urlencode({"client_secret": secret, "api_key": secret, "clientId": "c"})
    frame = {"action": 17, "auth": {"accessToken": "t"}, "params": {"key": full}}
    bodies = [
        Note(f"Opening ws://127.0.0.1:1/?{query}"),
        Note(f"Using key {full} and header Authorization: Basic {basic}"),
        Note(f"headers {{'Authorization': 'Basic {basic}'}}"),
        HttpExchange(
            "auth_url", "GET", f"http://a.example/auth?{auth_params}", 200, None, 1.0, None
        ),
        FrameSent(17, "AUTH", None, frame, json.dumps(frame), None),
        FrameSent(17, "AUTH", None, frame, json.dumps(frame, ensure_ascii=False), None),
        MessageReceived("c", "n", {"note": full, "list": [full]}, None, None, None, None),
        MessageReceived("c", "n", full, None, None, None, None),
        StateChanged(
            "connecting", "failed", "failed", ErrorInfo(40101, 401, f"bad key {full}"), None
        ),
    ]
    return [Event(i, i, 1_700_000_000_000 + i, float(i), "w", b) for i, b in enumerate(bodies)]


def exports(events: list[Event]) -> dict[str, str]:
    out: dict[str, str] = {
        "ndjson": to_ndjson(events),
        "markdown": to_markdown(events),
    }
    for name, as_json, frames in (
        ("watch", False, False),
        ("frames", False, True),
        ("json", True, False),
    ):
        stream = io.StringIO()
        printer = Printer(stream, as_json=as_json, frames=frames, on_broken=lambda: None)
        for event in events:
            printer(event)
        out[name] = stream.getvalue()
    return out


@settings(max_examples=150, deadline=None)
@given(secrets)
def test_no_legal_secret_survives_any_export(secret: str) -> None:
    for name, text in exports(events_carrying(secret)).items():
        for form in forms(secret):
            assert form not in text, (name, form)
        assert KEY_NAME in text  # the key name stays readable


@settings(max_examples=150, deadline=None)
@given(secrets)
def test_redact_text_and_value_mask_every_legal_secret(secret: str) -> None:
    full = f"{KEY_NAME}:{secret}"
    encoded = quote(full, safe="")
    for text in (full, f"x {full} y", f"?key={encoded}&v=6", f"'{full}'", f"({full})"):
        assert secret not in redact_text(text) and quote(secret, safe="") not in redact_text(text)
    assert secret not in json.dumps(redact_value({"a": [full], "b": {"c": full}}))


def test_url_encoded_key_keeps_the_rest_of_the_query() -> None:
    url = "ws://h/?key=app1.key1%3Aab%2Bc%2Fd%3D~e&v=6&format=json"
    assert redact_text(url) == f"ws://h/?key=app1.key1%3A{MASK}&v=6&format=json"


def test_auth_params_that_look_secret_are_masked() -> None:
    url = "https://a.example/auth?clientId=bob&client_secret=s1&password=p2&apiKey=k3&ttl=60"
    out = redact_text(url)
    assert "s1" not in out and "p2" not in out and "k3" not in out
    assert "clientId=bob" in out and "ttl=60" in out
    headers = {"X-Api-Key": "k4", "Authorization": "Bearer abc", "Accept": "application/json"}
    assert redact_value({"authHeaders": headers}) == {
        "authHeaders": {"X-Api-Key": MASK, "Authorization": MASK, "Accept": "application/json"}
    }


@pytest.mark.parametrize(
    "text",
    [
        "Invalid use of Basic authentication over non-TLS transport",
        "Opening ws://127.0.0.1:8080/?v=6&format=json",
        "http://my.host:8080/auth?clientId=bob",
        "at 12.30:45 the token expired",
    ],
)
def test_ordinary_text_is_left_readable(text: str) -> None:
    assert redact_text(text) == text
