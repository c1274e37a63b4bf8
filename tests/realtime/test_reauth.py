"""``Reauth`` (authorize / in-band reauth, RTC8, RTN22) against a fake ``ReauthPort``, with a
manual clock: the AUTH frame, the server's answer, the RTC8a timeout, and which failures fail
the connection (RSA4c3/RSA4d) and which only set errorReason."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.realtime.fakeport import FakeReauthPort
from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenParams
from tokenlab.core.wire import Action
from tokenlab.realtime.auth import Authenticator
from tokenlab.realtime.authhttp import AuthHttp
from tokenlab.realtime.events import RenewalFailed, RenewalStarted, RenewalSucceeded
from tokenlab.realtime.options import AuthCallbackAuth, ClientOptions, Endpoint, Timeouts
from tokenlab.realtime.protocol import ErrorInfo
from tokenlab.realtime.reauth import Reauth

AUTHORIZE_MS = 7_000


class Tokens:
    """An authCallback handing out TokenDetails for ``client_id`` (or an error to raise)."""

    def __init__(self, client_id: str | None = "alice") -> None:
        self.client_id = client_id
        self.error: AblyError | None = None
        self.issued = 0

    def __call__(self, params: object) -> dict[str, Any]:
        if self.error is not None:
            raise self.error
        self.issued += 1
        details: dict[str, Any] = {
            "token": f"token-{self.issued}",
            "issued": 4_102_441_200_000,
            "expires": 4_102_444_800_000,
        }
        if self.client_id is not None:
            details["clientId"] = self.client_id
        return details


Setup = tuple[Reauth, FakeReauthPort, Tokens]


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    tokens = Tokens()
    options = ClientOptions(
        endpoint=Endpoint.from_url("ws://127.0.0.1:1"),
        auth=AuthCallbackAuth(tokens),
        timeouts=Timeouts(authorize_timeout=AUTHORIZE_MS),
    )
    port = FakeReauthPort("alice", options=options)
    http = AuthHttp(options.endpoint, timeout_ms=1_000, protocol_version=6, on_exchange=port.emit)
    auth = Authenticator(options, http, port.emit)
    yield Reauth(port, auth), port, tokens
    await http.aclose()


def _sent_auth(port: FakeReauthPort) -> list[dict[str, Any]]:
    assert port.transport is not None
    return [f for f in port.transport.sent if f.get("action") == Action.AUTH]


async def _until_auth_sent(port: FakeReauthPort, task: asyncio.Task[Any]) -> None:
    """Wait (bounded) until the AUTH frame is out and its answer's timer is running."""
    async with asyncio.timeout(30):
        while not _sent_auth(port) or AUTHORIZE_MS not in port.clock.pending():
            if task.done():
                await task  # surface why it ended early
                raise AssertionError("reauth ended without sending AUTH")
            await asyncio.sleep(0)


async def test_authorize_while_connected_sends_auth_and_returns_on_the_answer(
    setup: Setup,
) -> None:
    reauth, port, _ = setup
    task = asyncio.create_task(reauth.authorize(TokenParams(ttl=60_000)))
    await _until_auth_sent(port, task)
    assert _sent_auth(port)[0]["auth"] == {"accessToken": "token-1"}
    await port.clock.advance(250)
    assert not task.done()
    reauth.answered()
    token = await task
    assert token.token == "token-1" and port.applied == [("alice", "auth_callback")]
    succeeded = [e for e in port.events if isinstance(e, RenewalSucceeded)]
    assert [(s.trigger, s.duration_ms, s.connection_id) for s in succeeded] == [
        ("authorize", 250, "conn-1")
    ]
    assert port.state == "connected" and not port.failed


async def test_no_answer_to_auth_is_50003_after_the_authorize_timeout(setup: Setup) -> None:
    reauth, port, _ = setup
    task = asyncio.create_task(reauth.authorize())
    await _until_auth_sent(port, task)
    await port.clock.advance(AUTHORIZE_MS - 1)
    assert not task.done()
    await port.clock.advance(1)
    with pytest.raises(AblyError) as info:
        await task
    assert info.value.ably_code == 50003
    # RTC8a: the connection stays up with errorReason set, like the SDKs
    assert port.state == "connected" and not port.failed
    assert port.error_reason is not None and port.error_reason.code == 50003
    assert [e.trigger for e in port.events if isinstance(e, RenewalFailed)] == ["authorize"]


async def test_authorize_to_another_client_id_is_refused_with_40102_and_fails(
    setup: Setup,
) -> None:
    reauth, port, tokens = setup
    tokens.client_id = "mallory"
    transport = port.transport
    with pytest.raises(AblyError) as info:
        await reauth.authorize()
    assert info.value.ably_code == 40102
    assert port.refusals() == [("authorize", 40102)]
    assert transport is not None and transport.sent == []  # nothing went to the server
    assert [f.code for f in port.failed] == [40102]  # RSA4d: fatal


async def test_a_provider_error_leaves_the_connection_up_a_403_fails_it(setup: Setup) -> None:
    reauth, port, tokens = setup
    tokens.error = AblyError(50000, "provider down", status=500)
    await reauth.reauth_quietly("server_auth")
    assert port.state == "connected" and not port.failed
    reason = port.error_reason
    assert reason is not None and reason.code == 80019  # the provider failed (RSA4c)
    assert reason.cause is not None and reason.cause.code == 50000
    tokens.error = AblyError(40300, "forbidden", status=403)
    await reauth.reauth_quietly("server_auth")
    assert port.state == "failed" and [f.status_code for f in port.failed] == [403]
    started = [e.trigger for e in port.events if isinstance(e, RenewalStarted)]
    assert started == ["server_auth", "server_auth"]


async def test_a_lost_transport_fails_the_auth_waiting_for_its_answer(setup: Setup) -> None:
    reauth, port, _ = setup
    task = asyncio.create_task(reauth.reauth("server_auth"))
    await _until_auth_sent(port, task)
    reauth.lost(ErrorInfo(80003, 400, "Connection lost"))
    with pytest.raises(AblyError) as info:
        await task
    assert info.value.ably_code == 80003
    assert port.error_reason is not None and port.error_reason.code == 80003
    assert AUTHORIZE_MS not in port.clock.pending()  # its timer went with it


async def test_authorize_while_disconnected_reconnects_with_the_new_token(
    setup: Setup,
) -> None:
    reauth, port, _ = setup
    port.set_state("disconnected")
    token = await reauth.authorize()
    assert token.token == "token-1" and port.reconnects == 1
    assert port.state == "connected" and not _sent_auth(port)


async def test_a_token_must_fit_the_client_id_option_a_wildcard_does(setup: Setup) -> None:
    reauth, port, tokens = setup
    port.client_id = None
    port.options = dataclasses.replace(port.options, client_id="alice")
    tokens.client_id = "bob"
    with pytest.raises(AblyError) as info:
        await reauth.reauth("server_auth")
    assert info.value.ably_code == 40102 and "clientId option" in str(info.value)
    assert port.applied == [] and [f.code for f in port.failed] == [40102]
    port.set_state("connected")
    tokens.client_id = "*"
    task = asyncio.create_task(reauth.reauth("server_auth"))
    await _until_auth_sent(port, task)
    reauth.answered()
    await task
    assert port.applied == [("*", "auth_callback")]
