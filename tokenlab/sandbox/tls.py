"""TLS for the sandbox: a certificate made on first use, and the server's SSL context.

Both SDKs refuse Basic auth over plain HTTP (40103), so ``AblyRest(key=...)`` needs HTTPS.
``ensure_certificate`` writes ``sandbox-cert.pem`` / ``sandbox-key.pem`` into a folder (the data
dir) with the ``cryptography`` package: a self-signed certificate (it is its own CA, so it can be
trusted with ``SSL_CERT_FILE`` or ``NODE_EXTRA_CA_CERTS``) for ``localhost``, ``127.0.0.1``,
``::1`` and any other names or addresses served. It is made again when a name is missing or it
is near expiry. The private key never leaves the folder (mode 0600).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tokenlab.core.errors import UserError

CERT_NAME, KEY_NAME = "sandbox-cert.pem", "sandbox-key.pem"
DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")
VALID_DAYS = 825
RENEW_DAYS = 30
TRUST_TITLE = "TLS: trust the sandbox's certificate"


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def trust_lines(self) -> list[str]:
        """How to make the SDKs (and curl) trust this certificate (under ``TRUST_TITLE``)."""
        return [
            f"  certificate                  {self.cert}",
            f"  Python (ably-python, httpx): export SSL_CERT_FILE={self.cert}",
            f"  Node (ably-js):              export NODE_EXTRA_CA_CERTS={self.cert}",
            f"  curl:                        curl --cacert {self.cert} ...",
        ]


def _wanted(names: tuple[str, ...]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in dict.fromkeys((*DEFAULT_NAMES, *names)):
        if name in ("", "0.0.0.0", "::"):
            continue
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


def _usable(cert_path: Path, wanted: list[x509.GeneralName], now: datetime.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        have = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)  # older ones: remake
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    fresh = cert.not_valid_after_utc - now > datetime.timedelta(days=RENEW_DAYS)
    return fresh and all(name in list(have) for name in wanted)


def ensure_certificate(folder: Path, names: tuple[str, ...] = ()) -> Certificate:
    """The certificate in ``folder`` for ``names`` (plus the loopback names), made if needed."""
    wanted = _wanted(names)
    cert_path, key_path = folder / CERT_NAME, folder / KEY_NAME
    now = datetime.datetime.now(datetime.UTC)
    if key_path.is_file() and _usable(cert_path, wanted, now):
        return Certificate(cert_path, key_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tokenlab sandbox (local)")])
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(wanted), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            # key identifiers: a client trusting several of these (same subject) picks the
            # right one, and strict verifiers (Python 3.13's VERIFY_X509_STRICT) want them
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False
            )
            .sign(key, hashes.SHA256())
        )
        key_bytes = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key_bytes)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    except OSError as exc:
        raise UserError(
            f"Cannot write the sandbox's TLS certificate in {folder}: {exc.strerror or exc}.",
            code="sandbox.tls_write",
            fix="Point TOKENLAB_DATA_DIR at a writable folder.",
        ) from None
    return Certificate(cert_path, key_path)


def server_context(certificate: Certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    return context
