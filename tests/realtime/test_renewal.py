"""Token renewal against the real sandbox: server AUTH, 40142, authorize(), revocation, and
the literal token that cannot be renewed."""

from __future__ import annotations

import asyncio

import pytest

from tests.realtime.conftest import Recorder, connected, options, sandbox_config
from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenParams
from tokenlab.realtime import Connection, IssuerAuth, TokenAuth
from tokenlab.realtime.events import (
    ChannelStateChanged,
    RenewalStarted,
    RenewalSucceeded,
    StateChanged,
    TokenObtained,
)
from tokenlab.sandbox import Sandbox

RENEWALS = 5


async def _renew_five_times(lead_ms: int, trigger: str) -> tuple[Recorder, Connection]:
    async with Sandbox(sandbox_config(reauth_lead_ms=lead_ms)) as sb:
        auth = IssuerAuth(
            sb.demo_keys["full"], kind="token_request", client_id="renewer", ttl_ms=3_000
        )
        conn = Connection(trigger, options(sb, auth))
        rec = Recorder(conn.stream)
        await connected(conn)
        first_id = conn.connection_id
        for _ in range(RENEWALS):
            await rec.wait_body(RenewalSucceeded, timeout=30, after=rec.last_seq)
            await conn.wait_for_state("connected", timeout_ms=30_000)
            assert conn.connection_id == first_id
        await conn.close()
        return rec, conn


async def test_renewal_by_server_auth_and_by_40142_keeps_the_connection_id() -> None:
    (auth_rec, _), (exp_rec, _) = await asyncio.gather(
        _renew_five_times(1_000, "server_auth"), _renew_five_times(0, "token_error")
    )

    renewals = auth_rec.bodies(RenewalSucceeded)
    assert len(renewals) >= RENEWALS and {r.trigger for r in renewals} == {"server_auth"}
    assert ("connected", "disconnected") not in auth_rec.states()  # in place, no drop
    updates = [b for b in auth_rec.bodies(StateChanged) if b.event == "update"]
    assert len(updates) >= RENEWALS
    expiries = [t.expires_ms for t in auth_rec.bodies(TokenObtained)]
    assert expiries == sorted(expiries) and len(set(expiries)) == len(expiries)

    renewals = exp_rec.bodies(RenewalSucceeded)
    assert len(renewals) >= RENEWALS and {r.trigger for r in renewals} == {"token_error"}
    started = exp_rec.bodies(RenewalStarted)
    assert all(s.reason is not None and s.reason.code == 40142 for s in started)
    drops = [b for b in exp_rec.bodies(StateChanged) if b.current == "disconnected"]
    assert drops and all(d.reason and d.reason.code == 40142 and d.retry_in_ms == 0 for d in drops)
    assert {r.connection_id for r in renewals} == {renewals[0].connection_id}


async def test_authorize_narrowing_capability_fails_the_lost_channel(sandbox: Sandbox) -> None:
    auth = IssuerAuth(sandbox.demo_keys["full"], kind="token", client_id="narrow")
    conn = Connection("narrow", options(sandbox, auth))
    rec = Recorder(conn.stream)
    await connected(conn)
    keep, lose = conn.channels.get("keep"), conn.channels.get("lose")
    await asyncio.gather(keep.attach(), lose.attach())
    conn_id = conn.connection_id
    token = await conn.authorize(TokenParams(capability='{"keep":["*"]}'))
    assert token.details is not None and token.details.capability == '{"keep":["*"]}'
    change = await rec.wait_body(
        ChannelStateChanged, lambda c: c.channel == "lose" and c.current == "failed"
    )
    assert change.reason is not None and change.reason.code == 40160
    assert keep.state == "attached" and lose.state == "failed"
    assert conn.state == "connected" and conn.connection_id == conn_id
    with pytest.raises(AblyError) as info:
        await conn.channels.get("other").attach()
    assert info.value.ably_code == 40160
    assert rec.bodies(RenewalSucceeded)[-1].trigger == "authorize"
    await conn.close()


async def test_revocation_renews_or_fails(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["revocable"]
    renewable = Connection(
        "rev", options(sandbox, IssuerAuth(key, kind="token", client_id="revme"))
    )
    literal = Connection(
        "rev-lit",
        options(
            sandbox, TokenAuth(token_details=sandbox.issue_token(key.name, client_id="revlit"))
        ),
    )
    rec = Recorder(renewable.stream)
    lit_rec = Recorder(literal.stream)
    await asyncio.gather(connected(renewable), connected(literal))
    await asyncio.sleep(0.01)  # tokens issued now are not "issued before" the revocation
    sandbox.revoke_tokens(
        key.name, ["clientId:revme", "clientId:revlit"], issued_before=sandbox.now_ms()
    )
    started = await rec.wait_body(RenewalStarted)
    assert started.reason is not None and started.reason.code == 40141
    await rec.wait_body(RenewalSucceeded)
    await renewable.wait_for_state("connected", timeout_ms=30_000)
    await literal.wait_for_state("failed", timeout_ms=30_000)
    failed = lit_rec.bodies(StateChanged)[-1]
    assert failed.reason is not None and failed.reason.code == 40171
    assert failed.reason.cause is not None and failed.reason.cause.code == 40141
    await renewable.close()
    await literal.close()


async def test_literal_token_expiring_fails_with_40171() -> None:
    async with Sandbox(sandbox_config(reauth_lead_ms=0)) as sb:
        details = sb.issue_token(sb.demo_keys["full"].name, ttl_ms=1_500)
        conn = Connection("lit", options(sb, TokenAuth(token_details=details)))
        rec = Recorder(conn.stream)
        await connected(conn)
        await conn.wait_for_state("failed", timeout_ms=30_000)
        assert conn.error_reason is not None and conn.error_reason.code == 40171
        assert rec.states()[-3:] == [
            ("connected", "disconnected"),
            ("disconnected", "connecting"),
            ("connecting", "failed"),
        ]
        await conn.close()


async def test_literal_token_gets_server_auth_hint_fails_with_40171(sandbox: Sandbox) -> None:
    details = sandbox.issue_token(sandbox.demo_keys["full"].name, ttl_ms=1_500)
    conn = Connection("lit2", options(sandbox, TokenAuth(token_details=details)))
    await connected(conn)
    await conn.wait_for_state("failed", timeout_ms=30_000)
    assert conn.error_reason is not None and conn.error_reason.code == 40171
    await conn.close()
