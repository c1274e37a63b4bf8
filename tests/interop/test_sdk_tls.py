"""TLS (issue 12 item 8), through both official SDKs: ``tokenlab sandbox --tls`` serves HTTPS
and WSS with a certificate made on first use; trusted through ``SSL_CERT_FILE`` (Python) or
``NODE_EXTRA_CA_CERTS`` (Node), Basic auth with a key works on REST (without TLS both SDKs refuse
it with 40103) and realtime connects over WSS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, one
from tokenlab.sandbox import Sandbox, SandboxConfig
from tokenlab.sandbox.tls import ensure_certificate

pytestmark = pytest.mark.interop


@pytest.fixture
async def tls_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sandbox]:
    certificate = ensure_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    monkeypatch.setenv("NODE_EXTRA_CA_CERTS", str(certificate.cert))
    config = SandboxConfig(tls_cert=str(certificate.cert), tls_key=str(certificate.key))
    async with Sandbox(config) as sb:
        yield sb


@pytest.mark.parametrize("sdk", SDKS)
async def test_basic_auth_over_tls_and_wss(
    tls_sandbox: Sandbox, ably_python_port_patch: None, quiet_ably_logs: None, sdk: str
) -> None:
    assert tls_sandbox.rest_url.startswith("https://")
    assert tls_sandbox.ws_url.startswith("wss://")
    events = await Peers(tls_sandbox).run(sdk, "tls_basic", script="compat", tls=True)
    assert_done(events)
    result = one(events, "tls")
    assert result["history"] == ["over tls"] and result["state"] == "connected", dump(events)
