"""The auth server failing (the sandbox's demo auth server in misbehaviour modes): the states
of RSA4c and RSA4d, and recovery once it heals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.realtime.conftest import FAST, Recorder, connected, options, sandbox_config
from tokenlab.realtime import AuthUrlAuth, Connection, Timeouts
from tokenlab.realtime.events import RenewalFailed, RenewalSucceeded, StateChanged
from tokenlab.sandbox import Sandbox

# SHORT's 600 ms request timeout is for the auth server's "delay:1500" mode only: the sandbox
# runs on the same loop, so its 1.5 s delay always ends after the client's 600 ms timer. Tests
# that are not about timeouts use PATIENT, so a busy machine cannot time their requests out.
SHORT = Timeouts(
    realtime_request_timeout=600,
    disconnected_retry_timeout=200,
    suspended_retry_timeout=300,
    authorize_timeout=1_000,
    close_timeout=500,
)
PATIENT = replace(SHORT, realtime_request_timeout=10_000)


@pytest.mark.parametrize(
    ("mode", "cause"),
    [("500", 50000), ("garbage", 40170), ("wrong-type", 40170), ("delay:1500", 40170)],
)
async def test_transient_auth_failures_retry_and_recover(
    sandbox: Sandbox, mode: str, cause: int
) -> None:
    sandbox.set_auth_server_mode(mode)
    auth = AuthUrlAuth(f"{sandbox.rest_url}/auth/token-request", auth_params={"clientId": "k"})
    timeouts = SHORT if mode.startswith("delay") else PATIENT
    conn = Connection(mode, options(sandbox, auth, timeouts=timeouts))
    rec = Recorder(conn.stream)
    conn.connect()
    change = await rec.wait_body(StateChanged, lambda s: s.current == "disconnected")
    assert change.reason is not None and change.reason.code == 80019
    assert change.reason.status_code == 401
    assert change.reason.cause is not None and change.reason.cause.code == cause
    assert change.retry_in_ms is not None and change.retry_in_ms > 0
    assert conn.state != "failed"
    sandbox.set_auth_server_mode(None)
    await conn.wait_for_state("connected", timeout_ms=30_000)
    assert conn.client_id == "k"
    await conn.close()


async def test_auth_server_403_fails_the_connection(sandbox: Sandbox) -> None:
    sandbox.set_auth_server_mode("403")
    auth = AuthUrlAuth(f"{sandbox.rest_url}/auth/jwt")
    conn = Connection("403", options(sandbox, auth, timeouts=PATIENT))
    conn.connect()
    await conn.wait_for_state("failed", timeout_ms=30_000)
    reason = conn.error_reason
    assert reason is not None and (reason.code, reason.status_code) == (80019, 403)
    # Once healed, an explicit connect() recovers (a failed connection never retries alone).
    sandbox.set_auth_server_mode(None)
    conn.connect()
    await conn.wait_for_state("connected", timeout_ms=30_000)
    await conn.close()
    # RTC8c: authorize() on a failed connection connects with the new auth options.
    sandbox.set_auth_server_mode("403")
    again = Connection("403b", options(sandbox, auth, timeouts=PATIENT))
    again.connect()
    await again.wait_for_state("failed", timeout_ms=30_000)
    healed = AuthUrlAuth(f"{sandbox.rest_url}/auth/token")
    sandbox.set_auth_server_mode(None)
    token = await again.authorize(auth=healed)
    assert again.state == "connected" and token.via == "token_string"
    await again.close()


async def test_renewal_failure_while_connected_then_recovery() -> None:
    async with Sandbox(sandbox_config(reauth_lead_ms=1_000)) as sb:
        auth = AuthUrlAuth(
            f"{sb.rest_url}/auth/token", auth_params={"ttl": "2000", "clientId": "heal"}
        )
        conn = Connection("heal", options(sb, auth, timeouts=FAST))
        rec = Recorder(conn.stream)
        await connected(conn)
        conn_id = conn.connection_id
        sb.set_auth_server_mode("500")
        failed = await rec.wait_body(RenewalFailed, timeout=30)
        assert failed.trigger == "server_auth" and failed.error.code == 80019
        assert conn.state == "connected"  # RSA4c3: stays connected, errorReason set
        assert conn.error_reason is not None and conn.error_reason.code == 80019
        drop = await rec.wait_body(StateChanged, lambda s: s.current == "disconnected", timeout=30)
        assert drop.reason is not None and drop.reason.code in (40142, 80019)
        sb.set_auth_server_mode(None)
        await rec.wait_body(RenewalSucceeded, timeout=30)
        await conn.wait_for_state("connected", timeout_ms=30_000)
        assert conn.connection_id == conn_id  # resumed within connectionStateTtl
        await conn.close()


async def test_auth_server_timeout_is_bounded(sandbox: Sandbox) -> None:
    sandbox.set_auth_server_mode("delay:1500")
    auth = AuthUrlAuth(f"{sandbox.rest_url}/auth/token")
    conn = Connection("slow", options(sandbox, auth, timeouts=SHORT))
    rec = Recorder(conn.stream)
    conn.connect()
    change = await rec.wait_body(StateChanged, lambda s: s.current == "disconnected")
    assert change.reason is not None and change.reason.cause is not None
    assert "Timed out" in change.reason.cause.message
    sandbox.set_auth_server_mode(None)
    await conn.close()
