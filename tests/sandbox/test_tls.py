"""The sandbox's TLS certificate: made once in the data dir for the loopback names and the
names served, kept when still good, made again when a name is missing; the key is private."""

from __future__ import annotations

import ssl
import stat
from pathlib import Path

import aiohttp
from cryptography import x509

from tokenlab.sandbox import Sandbox, SandboxConfig
from tokenlab.sandbox.tls import ensure_certificate


def _names(path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(n.value) for n in san}


def test_certificate_is_made_once_and_remade_for_a_new_name(tmp_path: Path) -> None:
    first = ensure_certificate(tmp_path)
    assert {"localhost", "127.0.0.1", "::1"} <= _names(first.cert)
    assert stat.S_IMODE(first.key.stat().st_mode) == 0o600
    pem = first.cert.read_bytes()
    assert ensure_certificate(tmp_path).cert.read_bytes() == pem  # kept
    again = ensure_certificate(tmp_path, ("127.0.0.2",))
    assert again.cert.read_bytes() != pem and "127.0.0.2" in _names(again.cert)


async def test_sandbox_serves_https_with_it(tmp_path: Path) -> None:
    certificate = ensure_certificate(tmp_path)
    config = SandboxConfig(tls_cert=str(certificate.cert), tls_key=str(certificate.key))
    context = ssl.create_default_context(cafile=str(certificate.cert))
    async with Sandbox(config) as sb, aiohttp.ClientSession() as http:
        async with http.get(f"{sb.rest_url}/time", ssl=context) as response:
            assert response.status == 200
        async with http.ws_connect(
            f"{sb.ws_url}/?key={sb.demo_keys['full'].full()}", ssl=context
        ) as ws:
            frame = await ws.receive_json()
            assert frame["action"] == 4
