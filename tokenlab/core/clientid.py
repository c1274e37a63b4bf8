"""clientId rules: which identity a set of credentials gives, and what it may do with it.

From spec RSA7, RSA8f, RSA15, TD6 and RTP8: a token clientId of ``None`` means
anonymous and barred from claiming any clientId; ``"*"`` is a wildcard that may claim any clientId
per operation but has no identity of its own; any other string is an identified client whose id
is enforced and implied. Basic auth without a clientId is unidentified but may set any clientId.
Mismatches are ``AblyError`` 40102 (credentials) or 40012 (a message), presence without an
identity 91000.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tokenlab.core.errors import AblyError

WILDCARD = "*"
IdentityKind = Literal["identified", "wildcard", "unidentified"]


@dataclass(frozen=True)
class Identity:
    client_id: str | None  # the effective id: "*" for a wildcard, None when unidentified
    kind: IdentityKind
    may_publish_as_any: bool
    may_enter_presence: bool
    explanation: str


def _invalid_option(client_id: str) -> AblyError:
    if client_id == WILDCARD:
        return AblyError(
            40012,
            "clientId '*' cannot be used as a client's own identity.",
            code="client_id.wildcard_option",
            fix="Put '*' in the token's clientId instead, and set a concrete clientId (or none).",
        )
    return AblyError(
        40012,
        "clientId must be a non-empty string.",
        code="client_id.empty",
        fix="Leave clientId unset for an anonymous client.",
    )


def identified(client_id: str, how: str) -> Identity:
    return Identity(
        client_id=client_id,
        kind="identified",
        may_publish_as_any=False,
        may_enter_presence=True,
        explanation=(
            f"Identified as {client_id!r} ({how}). Ably stamps this clientId on every message "
            "and presence action, rejects any other clientId (40012), and allows presence."
        ),
    )


def wildcard(how: str) -> Identity:
    return Identity(
        client_id=WILDCARD,
        kind="wildcard",
        may_publish_as_any=True,
        may_enter_presence=False,
        explanation=(
            f"Wildcard clientId '*' ({how}): the client has no identity of its own but may set "
            "any clientId on each message, and enter presence on behalf of others "
            "(enterClient). A plain presence enter needs a concrete clientId."
        ),
    )


def unidentified(*, basic_auth: bool) -> Identity:
    if basic_auth:
        text = (
            "Unidentified (Basic auth without a clientId): messages carry no clientId unless "
            "one is set explicitly, which Basic auth allows for any value. Presence needs a "
            "clientId."
        )
    else:
        text = (
            "Anonymous: the token has no clientId, so the client may not claim one. A message "
            "with an explicit clientId is rejected (40012), and presence is not possible (91000)."
        )
    return Identity(
        client_id=None,
        kind="unidentified",
        may_publish_as_any=basic_auth,
        may_enter_presence=False,
        explanation=text,
    )


def identity_of_token(token_client_id: str | None) -> Identity:
    """The identity a token gives on its own, with no clientId in the client options."""
    return resolve_identity(None, basic_auth=False, token_client_id=token_client_id)


def resolve_identity(
    option_client_id: str | None, *, basic_auth: bool, token_client_id: str | None
) -> Identity:
    """The identity of a connection made with these credentials (RSA7, RSA15).

    Raises ``AblyError`` 40012 for a ``"*"`` or empty options clientId (or an empty token
    clientId) and 40102 when the options clientId conflicts with the token.
    """
    if option_client_id is not None and option_client_id in ("", WILDCARD):
        raise _invalid_option(option_client_id)
    if basic_auth:
        if option_client_id is not None:
            return identified(option_client_id, "Basic auth with a clientId")
        return unidentified(basic_auth=True)
    if token_client_id == "":
        raise AblyError(
            40012, "The token's clientId is an empty string.", code="client_id.empty_token"
        )
    if token_client_id is None:
        if option_client_id is not None:
            raise AblyError(
                40102,
                f"The token has no clientId, so it may not assume clientId {option_client_id!r}.",
                code="client_id.token_anonymous",
                fix="Issue the token with this clientId (or '*'), or drop the clientId option.",
            )
        return unidentified(basic_auth=False)
    if token_client_id == WILDCARD:
        if option_client_id is not None:
            return identified(option_client_id, "client option, allowed by a wildcard token")
        return wildcard("from the token")
    if option_client_id is not None and option_client_id != token_client_id:
        raise AblyError(
            40102,
            f"The clientId option {option_client_id!r} does not match the token's clientId "
            f"{token_client_id!r}.",
            code="client_id.mismatch",
            fix="Use the same clientId in the client options and the token, or omit the option.",
        )
    return identified(token_client_id, "from the token")


def _mismatch(identity: Identity, message_client_id: str) -> AblyError:
    if identity.kind == "identified":
        detail = f"the connection is identified as {identity.client_id!r}"
    else:
        detail = "the credentials permit no clientId"
    return AblyError(
        40012,
        f"The message clientId {message_client_id!r} is not permitted: {detail}.",
        code="client_id.message_mismatch",
        fix="Leave the message clientId unset so Ably fills it in, or use matching credentials.",
    )


def stamp_message_client_id(identity: Identity, message_client_id: str | None) -> str | None:
    """The clientId Ably puts on a published message (RSA8f, RTL6g); 40012 when refused."""
    if message_client_id == WILDCARD:
        raise _invalid_option(WILDCARD)
    if identity.kind == "identified":
        if message_client_id not in (None, identity.client_id):
            raise _mismatch(identity, message_client_id)
        return identity.client_id
    if message_client_id is not None and not identity.may_publish_as_any:
        raise _mismatch(identity, message_client_id)
    return message_client_id


def presence_client_id(identity: Identity, message_client_id: str | None) -> str:
    """The clientId a presence action is made as (RTP8j, RTP15); 91000 without one, 40012 on a
    mismatch."""
    if message_client_id == WILDCARD:
        raise _invalid_option(WILDCARD)
    if identity.kind == "identified" and identity.client_id is not None:
        if message_client_id not in (None, identity.client_id):
            raise _mismatch(identity, message_client_id)
        return identity.client_id
    if message_client_id is None:
        raise AblyError(
            91000,
            "Unable to enter presence without a clientId.",
            code="client_id.presence_anonymous",
            fix="Connect with a clientId (token clientId or client option) to use presence.",
        )
    if not identity.may_publish_as_any:
        raise _mismatch(identity, message_client_id)
    return message_client_id
