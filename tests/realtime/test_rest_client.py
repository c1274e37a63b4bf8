"""The one Ably REST client against the sandbox: time, requestToken, revokeTokens, publish,
history, and one error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.sandbox.conftest import FakeClock, config
from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.tokens import TokenParams, create_token_request
from tokenlab.realtime.rest import AblyRest
from tokenlab.sandbox import Sandbox


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(config(FakeClock())) as sandbox:
        yield sandbox


async def test_time_and_request_token(sb: Sandbox) -> None:
    key = sb.demo_keys["full"]
    async with AblyRest(sb.rest_url) as rest:
        now = await rest.time()
        assert abs(now - sb.now_ms()) < 60_000
        params = TokenParams(client_id="alice", ttl=60_000)
        request, details = await rest.request_token_with_key(key, params, now_ms=sb.now_ms)
        assert details.client_id == "alice" and details.key_name == key.name
        with pytest.raises(AblyError) as replay:  # the same nonce again: Ably's code kept
            await rest.request_token(request)
        assert replay.value.ably_code == 40105


async def test_stale_timestamp_keeps_ablys_code(sb: Sandbox) -> None:
    key = sb.demo_keys["full"]
    stale = create_token_request(key, TokenParams(), now_ms=lambda: sb.now_ms() - 600_000)
    async with AblyRest(sb.rest_url) as rest:
        with pytest.raises(AblyError) as err:
            await rest.request_token(stale)
    assert err.value.ably_code == 40104


async def test_revoke_publish_and_history(sb: Sandbox) -> None:
    revocable = sb.demo_keys["revocable"]
    async with AblyRest(sb.rest_url) as rest:
        outcomes = await rest.revoke_tokens(
            revocable, ["clientId:alice"], issued_before=sb.now_ms(), allow_reauth_margin=True
        )
        assert [o.target for o in outcomes] == ["clientId:alice"] and not outcomes[0].error
        with pytest.raises(AblyError) as not_revocable:
            await rest.revoke_tokens(sb.demo_keys["full"], ["clientId:alice"])
        assert not_revocable.value.ably_code in (40163, 40164)
        _, details = await rest.request_token_with_key(
            sb.demo_keys["full"], TokenParams(client_id="bob"), now_ms=sb.now_ms
        )
        await rest.publish("chat:lobby", [{"name": "greeting", "data": "hi"}], token=details.token)
        history = await rest.history("chat:lobby", token=details.token)
        assert history[0]["data"] == "hi" and history[0]["clientId"] == "bob"


async def test_unreachable_and_no_endpoint() -> None:
    with pytest.raises(UserError, match="no endpoint"):
        AblyRest(None)
    async with httpx.AsyncClient() as client:
        rest = AblyRest("http://127.0.0.1:9", client=client)
        with pytest.raises(AblyError) as err:
            await rest.time()
    assert err.value.ably_code == 40170
