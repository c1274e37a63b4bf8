"""General JWTs with any algorithm pyjwt supports: keys, minting and signature verification.

Keys come as a shared secret (UTF-8 text or base64), a PEM block (private key, public key or
certificate) or a JWK. pyjwt warns when an HMAC key is shorter than the hash output
(``InsecureKeyLengthWarning``); tokenlab never lets that warning escape (the test suite turns
warnings into errors) and reports it as ``key_warning`` text instead, for the inspector to show
as a finding. Ably JWTs (HS256, byte-exact layout) are minted by ``tokenlab.core.ably_jwt``.
"""

from __future__ import annotations

import base64
import binascii
import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from tokenlab.core.ably_jwt import DecodedJwt, decode_jwt
from tokenlab.core.errors import TokenFormatError, UserError

KeyKind = Literal["secret", "pem", "jwk", "none"]
HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")


def algorithms() -> tuple[str, ...]:
    """Every algorithm name pyjwt can sign and verify with here (``none`` included)."""
    return tuple(jwt.algorithms.get_default_algorithms())


def _key_error(message: str, code: str, fix: str | None = None) -> UserError:
    return UserError(message, code=f"jwk.{code}", fix=fix)


@dataclass(frozen=True)
class JwtKey:
    """Key material in a form pyjwt accepts; ``material`` never appears in ``repr``."""

    kind: KeyKind
    label: str
    material: Any = field(repr=False, default=None)
    algorithm: str | None = None  # the default for signing: a JWK's "alg", or the family's
    allowed: tuple[str, ...] = ()  # algorithms this key can verify (empty: any of its kind)

    @property
    def is_hmac(self) -> bool:
        return isinstance(self.material, bytes)


NO_KEY = JwtKey(kind="none", label="no key (alg none)")


def key_from_secret(text: str, *, base64_encoded: bool = False) -> JwtKey:
    """A shared HMAC secret: its UTF-8 bytes, or the bytes it encodes in (url-safe) base64."""
    if not text:
        raise _key_error("The secret is empty.", "empty_secret")
    if not base64_encoded:
        data = text.encode("utf-8")
        return JwtKey("secret", f"shared secret ({len(data)} bytes, UTF-8)", data)
    cleaned = "".join(text.split()).replace("-", "+").replace("_", "/").rstrip("=")
    try:
        data = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _key_error(
            f"The secret is not valid base64 ({exc}).",
            "secret_not_base64",
            "Untick 'base64' to use the secret's text as the key.",
        ) from exc
    if not data:
        raise _key_error("The base64 secret decodes to nothing.", "empty_secret")
    return JwtKey("secret", f"shared secret ({len(data)} bytes, from base64)", data)


def _load_pem(data: bytes) -> Any:
    loaders = (
        lambda: serialization.load_pem_private_key(data, password=None),
        lambda: serialization.load_pem_public_key(data),
        lambda: x509.load_pem_x509_certificate(data).public_key(),
    )
    for load in loaders:
        try:
            return load()
        except (ValueError, TypeError, UnicodeError):
            continue
    return None


def _family_name(family: tuple[str, ...]) -> str:
    if not family:
        return "unsupported"
    if family[0] == "EdDSA":
        return "EdDSA"
    return "EC" if family[0].startswith("ES") else "RSA"


def key_from_pem(text: str | bytes) -> JwtKey:
    """A PEM private key, public key or X.509 certificate (unencrypted)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if b"-----BEGIN" not in data:
        raise _key_error("This is not a PEM block (no -----BEGIN line).", "not_pem")
    key = _load_pem(data.strip())
    if key is None:
        raise _key_error(
            "The PEM block is not a readable unencrypted key or certificate.",
            "bad_pem",
            "Export the key without a passphrase (PKCS#8 or SubjectPublicKeyInfo).",
        )
    family = _family(key)
    kind = _family_name(family)
    role = "private" if hasattr(key, "sign") else "public"
    return JwtKey("pem", f"PEM {kind} {role} key", key, family[0] if family else None, family)


_RSA_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
_EC_ALGS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512", "secp256k1": "ES256K"}


def _family(key: Any) -> tuple[str, ...]:
    """The algorithms a PEM key can sign or verify, default first."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return _RSA_ALGS
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        alg = _EC_ALGS.get(key.curve.name)
        return (alg,) if alg else ()
    if isinstance(
        key,
        ed25519.Ed25519PrivateKey
        | ed25519.Ed25519PublicKey
        | ed448.Ed448PrivateKey
        | ed448.Ed448PublicKey,
    ):
        return ("EdDSA",)
    return ()


def key_from_jwk(text: str | Mapping[str, Any]) -> JwtKey:
    """A single JWK (JSON text or object), e.g. ``{"kty":"oct","k":"..."}``."""
    try:
        data = json.loads(text) if isinstance(text, str) else dict(text)
    except ValueError as exc:
        raise _key_error(f"The JWK is not valid JSON ({exc}).", "not_json") from exc
    if not isinstance(data, dict):
        raise _key_error("A JWK must be a JSON object.", "not_object")
    try:
        jwk = jwt.PyJWK(data)
    except jwt.PyJWTError as exc:
        raise _key_error(f"The JWK cannot be used: {exc}", "unusable") from exc
    kty = data.get("kty")
    allowed = () if kty == "oct" else (jwk.algorithm_name,) if "alg" in data else _family(jwk.key)
    label = f"JWK (kty={kty}, {jwk.algorithm_name})"
    return JwtKey("jwk", label, jwk.key, jwk.algorithm_name, allowed)


def key_from_text(text: str, *, base64_encoded: bool = False) -> JwtKey:
    """Whatever a user pasted as a key: a PEM block, a JWK (JSON), else a shared secret."""
    if "-----BEGIN" in text:
        return key_from_pem(text)
    if text.lstrip().startswith("{"):
        return key_from_jwk(text)
    return key_from_secret(text, base64_encoded=base64_encoded)


@dataclass(frozen=True)
class MintedJwt:
    token: str
    key_warning: str | None = None  # e.g. pyjwt's "HMAC key is 6 bytes long" notice


def mint_jwt(
    claims: Mapping[str, Any],
    key: JwtKey,
    *,
    algorithm: str | None = None,
    headers: Mapping[str, Any] | None = None,
) -> MintedJwt:
    """Sign ``claims`` with ``algorithm`` (default: the key's, else HS256); header order is
    typ, alg, then ``headers``."""
    algorithm = algorithm or key.algorithm or "HS256"
    if algorithm not in algorithms():
        raise UserError(
            f"Unknown JWT algorithm {algorithm!r}.",
            code="jwt.unknown_alg",
            fix="Choose one of: " + ", ".join(algorithms()),
        )
    material: Any = None if algorithm == "none" else key.material
    extra = {k: v for k, v in (headers or {}).items() if k != "alg"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", jwt.InsecureKeyLengthWarning)
        try:
            token = jwt.encode(
                dict(claims), material, algorithm=algorithm, headers=extra, sort_headers=False
            )
        except (jwt.PyJWTError, TypeError, ValueError, AttributeError) as exc:
            raise UserError(
                f"Cannot sign with {algorithm} using {key.label}: {exc}",
                code="jwt.sign_failed",
                fix="Use a private key of the algorithm's family, or an HMAC secret for HS*.",
            ) from exc
    notes = [str(w.message) for w in caught if issubclass(w.category, jwt.InsecureKeyLengthWarning)]
    return MintedJwt(token, notes[0] if notes else None)


@dataclass(frozen=True)
class JwtVerification:
    valid: bool
    algorithm: str | None
    message: str
    key_warning: str | None = None


def _verifying_key(key: JwtKey) -> Any:
    material = key.material
    if not isinstance(material, bytes) and hasattr(material, "public_key"):
        return material.public_key()  # a private key verifies through its public half
    return material


def verify_jwt(
    token: str | DecodedJwt, key: JwtKey, *, algorithm: str | None = None
) -> JwtVerification:
    """Check only the signature, with the header's ``alg`` (or ``algorithm``, which must match).

    Never raises for a bad token or key: the answer says why it is not valid.
    """
    try:
        decoded = token if isinstance(token, DecodedJwt) else decode_jwt(token)
    except TokenFormatError as exc:
        return JwtVerification(False, None, exc.message)
    alg = decoded.alg
    if alg is None:
        return JwtVerification(False, None, "The header has no 'alg'.")
    if algorithm is not None and algorithm != alg:
        return JwtVerification(False, alg, f"The token says alg {alg}, not {algorithm}.")
    if alg == "none":
        return JwtVerification(False, alg, "alg 'none': the token is unsigned.")
    if alg not in algorithms():
        return JwtVerification(False, alg, f"Algorithm {alg!r} is not supported.")
    if key.is_hmac != (alg in HMAC_ALGORITHMS):
        family = "an HMAC secret" if alg in HMAC_ALGORITHMS else "a public key (PEM or JWK)"
        return JwtVerification(False, alg, f"{alg} needs {family}, not a {key.label}.")
    if key.allowed and alg not in key.allowed:
        allowed = ", ".join(key.allowed)
        return JwtVerification(False, alg, f"{key.label} is for {allowed}, not {alg}.")
    try:
        alg_obj = jwt.get_algorithm_by_name(alg)
        prepared = alg_obj.prepare_key(_verifying_key(key))
        weak = alg_obj.check_key_length(prepared)
        ok = alg_obj.verify(decoded.signing_input.encode("utf-8"), prepared, decoded.signature)
    except (NotImplementedError, jwt.PyJWTError, TypeError, ValueError, AttributeError) as exc:
        return JwtVerification(False, alg, f"{key.label} cannot verify {alg}: {exc}")
    message = f"Signature verified ({alg}, {key.label})." if ok else "Signature does not match."
    return JwtVerification(ok, alg, message, weak)
