"""Every auth mode connects to the real sandbox and reports what it obtained."""

from __future__ import annotations

from tests.realtime.conftest import Recorder, connected, options
from tokenlab.core.ably_jwt import mint_ably_jwt
from tokenlab.core.tokens import TokenParams, create_token_request
from tokenlab.realtime import (
    AuthCallbackAuth,
    AuthUrlAuth,
    Connection,
    IssuerAuth,
    KeyAuth,
    TokenAuth,
)
from tokenlab.realtime.events import FrameSent, HttpExchange, TokenObtained
from tokenlab.sandbox import Sandbox


async def test_basic_auth_sends_the_key(sandbox: Sandbox) -> None:
    conn = Connection("basic", options(sandbox, KeyAuth(sandbox.demo_keys["full"])))
    rec = Recorder(conn.stream)
    await connected(conn)
    assert conn.connection_id and conn.connection_key
    assert conn.token is None and not rec.bodies(TokenObtained)
    await conn.close()
    assert rec.states()[-2:] == [("connected", "closing"), ("closing", "closed")]


async def test_key_with_use_token_auth_exchanges_a_token_request(sandbox: Sandbox) -> None:
    auth = KeyAuth(sandbox.demo_keys["full"], use_token_auth=True)
    conn = Connection("tokenauth", options(sandbox, auth))
    rec = Recorder(conn.stream)
    await connected(conn)
    token = rec.bodies(TokenObtained)[0]
    assert token.via == "token_request" and token.token_kind == "ably_token"
    assert token.expires_ms is not None
    assert [h.purpose for h in rec.bodies(HttpExchange)] == ["request_token"]
    await conn.close()


async def test_literal_token_and_literal_jwt(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["full"]
    details = sandbox.issue_token(key.name, client_id="lit")
    jwt = mint_ably_jwt(key, iat_s=sandbox.now_ms() // 1000, ttl_s=600, client_id="jwt-user")
    for name, auth in (("lit", TokenAuth(token_details=details)), ("jwt", TokenAuth(token=jwt))):
        conn = Connection(name, options(sandbox, auth))
        rec = Recorder(conn.stream)
        await connected(conn)
        token = rec.bodies(TokenObtained)[0]
        if name == "jwt":
            assert token.token_kind == "jwt" and token.jwt_claims is not None
            assert token.client_id == "jwt-user" and token.expires_ms is not None
            assert conn.client_id == "jwt-user"  # learnt from CONNECTED, like the SDKs
        else:
            assert conn.client_id == "lit"
        await conn.close()


async def test_auth_url_get_post_and_content_types(sandbox: Sandbox) -> None:
    base = sandbox.rest_url
    cases = [
        AuthUrlAuth(f"{base}/auth/token-request", auth_params={"clientId": "u1"}),
        AuthUrlAuth(
            f"{base}/auth/jwt?clientId=u2", auth_method="POST", auth_headers={"X-Demo": "1"}
        ),
        AuthUrlAuth(f"{base}/auth/token", auth_params={"clientId": "u3"}),
        AuthUrlAuth(f"{base}/auth/token", auth_params={"clientId": "u4", "format": "details"}),
    ]
    expected = [
        ("u1", "token_request"),
        ("u2", "token_string"),
        ("u3", "token_string"),
        ("u4", "token_details"),
    ]
    for auth, (client_id, via) in zip(cases, expected, strict=True):
        conn = Connection(client_id, options(sandbox, auth))
        rec = Recorder(conn.stream)
        await connected(conn)
        assert conn.client_id == client_id
        assert rec.bodies(TokenObtained)[0].via == via
        exchange = rec.bodies(HttpExchange)[0]
        assert exchange.purpose == "auth_url" and exchange.status == 200
        assert exchange.method == auth.auth_method
        await conn.close()


async def test_auth_callback_sync_and_async(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["full"]
    seen: list[TokenParams] = []

    def sync_cb(params: TokenParams) -> object:
        seen.append(params)
        return create_token_request(key, TokenParams(client_id="sync-user"))

    async def async_cb(params: TokenParams) -> object:
        seen.append(params)
        return sandbox.issue_token(key.name, client_id="async-user").to_dict()

    for cb, client_id in ((sync_cb, "sync-user"), (async_cb, "async-user")):
        conn = Connection(client_id, options(sandbox, AuthCallbackAuth(cb)))
        await connected(conn)
        assert conn.client_id == client_id
        await conn.close()
    assert len(seen) == 2


async def test_issuer_token_request_jwt_and_token(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["full"]
    for kind, via in (
        ("token_request", "token_request"),
        ("jwt", "token_string"),
        ("token", "token_details"),
    ):
        auth = IssuerAuth(
            key,
            kind=kind,
            client_id=f"i-{kind}",  # type: ignore[arg-type]
            capability='{"room:*":["*"]}',
            ttl_ms=60_000,
        )
        conn = Connection(kind, options(sandbox, auth))
        rec = Recorder(conn.stream)
        await connected(conn)
        token = rec.bodies(TokenObtained)[0]
        assert token.via == via and token.source == "issuer"
        assert token.capability is not None and "room:*" in token.capability
        assert conn.client_id == f"i-{kind}"
        sent = [b for b in rec.bodies(FrameSent)]
        assert all("key" not in str(b.message) for b in sent)
        await conn.close()


async def test_query_time_fixes_a_skewed_clock() -> None:
    from tests.realtime.conftest import sandbox_config

    async with Sandbox(sandbox_config(clock_skew_ms=600_000)) as sb:
        auth = KeyAuth(sb.demo_keys["full"], use_token_auth=True)
        bad = Connection("skewed", options(sb, auth))
        bad.connect()
        await bad.wait_for_state("disconnected", timeout_ms=30_000)
        reason = bad.error_reason
        assert reason is not None and reason.code == 80019
        assert reason.cause is not None and reason.cause.code == 40104
        await bad.close()
        good = Connection("query-time", options(sb, auth, query_time=True))
        rec = Recorder(good.stream)
        await connected(good)
        assert [h.purpose for h in rec.bodies(HttpExchange)] == ["time", "request_token"]
        await good.close()
