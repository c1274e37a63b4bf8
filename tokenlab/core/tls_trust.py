"""The TLS trust of tokenlab's own clients: the usual CAs plus certificates trusted at run time.

The embedded sandbox can serve HTTPS/WSS with a self-signed certificate (``sandbox.tls``); the
app's own clients (the Live tab's connections, its REST calls) must trust it as the SDKs do with
``SSL_CERT_FILE`` / ``NODE_EXTRA_CA_CERTS``, without distrusting anything else. Every client
tokenlab makes uses ``client_context()``, one shared SSL context holding certifi's CAs and the
system's; ``trust_certificate`` adds a certificate to it, which takes effect for the next
handshake of every client, including those created before.
"""

from __future__ import annotations

import ssl
from pathlib import Path

_context: ssl.SSLContext | None = None


def client_context() -> ssl.SSLContext:
    """The shared context that verifies servers for tokenlab's HTTP and WebSocket clients."""
    global _context
    if _context is None:
        import certifi  # httpx's own CA bundle: the same trust as httpx's default

        context = ssl.create_default_context(cafile=certifi.where())
        context.load_default_certs()
        _context = context
    return _context


def trust_certificate(cert: Path) -> None:
    """Trust ``cert`` (a PEM CA or self-signed certificate) for this process's clients."""
    client_context().load_verify_locations(cafile=str(cert))
