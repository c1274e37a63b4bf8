"""The REST API of the sandbox (Ably's REST API: RSC16, RSA8, RSA17).

Routes: ``GET /time``; ``POST /keys/{keyName}/requestToken`` (signed or Basic-authenticated
TokenRequests in JSON, msgpack or form bodies); ``POST /keys/{keyName}/revokeTokens``;
``POST /channels/{name}/messages`` (publish with the clientId rules of RSL1m; reads are in
``rest_channels``); ``POST /apps`` and ``DELETE /apps/{appId}`` (provisioning,
G2). Every route except ``/time``, signed requestToken and ``POST /apps`` takes Basic auth or a
token (``Authorization: Bearer`` raw or base64; ``key=`` / ``access_token=`` query fallbacks).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tokenlab.core.clientid import Identity, resolve_identity, stamp_message_client_id
from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenRequest
from tokenlab.sandbox import config as ev
from tokenlab.sandbox import provisioning
from tokenlab.sandbox.auth import Credentials
from tokenlab.sandbox.context import CONTEXT, Context
from tokenlab.sandbox.httpwire import (
    client_id_header,
    host_header_name,
    read_body,
    respond,
)
from tokenlab.sandbox.protocol import SUPPORTED_VERSIONS, check_portable, message_size
from tokenlab.sandbox.revocation import (
    TargetResult,
    batch_result,
    check_issued_before,
    parse_revoke_body,
    parse_target,
)


def api_version(request: web.Request) -> int | None:
    raw = request.headers.get("X-Ably-Version", request.query.get("v"))
    if raw is None:
        # UNCERTAIN: Ably's docs say a missing version is 40017 too; it is accepted here so that
        # curl lessons and authUrl-style clients work. Every SDK sends one.
        return None
    try:
        version = int(raw.split(".")[0])
    except ValueError:
        version = -1
    if version < SUPPORTED_VERSIONS.start:  # a newer version is accepted, as Ably does
        raise AblyError(40017, f"Invalid api version specified: {raw!r} (supported: 2 and up).")
    return version


def credentials(ctx: Context, request: web.Request, *, required: bool = True) -> Credentials | None:
    header = request.headers.get("Authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            return ctx.authn.from_basic_header(value)
        if scheme.lower() == "bearer":
            return ctx.authn.from_bearer(value)
        raise AblyError(40101, f"Unsupported Authorization scheme {scheme!r}.")
    if "key" in request.query:
        return ctx.authn.from_key(request.query["key"], unknown_code=40400, status=401)
    token = request.query.get("access_token", request.query.get("accessToken"))
    if token is not None:
        return ctx.authn.from_token(token)
    if required:
        raise AblyError(40101, "No credentials: use Basic auth with a key or a Bearer token.")
    return None


def authenticate(ctx: Context, request: web.Request) -> tuple[Credentials, Identity]:
    creds = credentials(ctx, request)
    assert creds is not None
    identity = resolve_identity(
        client_id_header(request), basic_auth=creds.basic, token_client_id=creds.client_id
    )
    return creds, identity


async def get_time(request: web.Request) -> web.Response:
    api_version(request)
    return respond(request, [request.app[CONTEXT].now_ms()])


async def request_token(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    api_version(request)
    key_name = request.match_info["keyName"]
    body = await read_body(request)
    token_request = TokenRequest.from_dict(body)  # 40001 shape / 40003 ttl
    details = ctx.issuer.request_token(
        key_name, token_request, lambda: credentials(ctx, request, required=False)
    )
    # UNCERTAIN: Ably may answer 201; SDKs accept any 2xx, so 200 is used.
    return respond(request, details.to_dict())


async def revoke_tokens(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    version = api_version(request)
    key_name = request.match_info["keyName"]
    creds = credentials(ctx, request)
    assert creds is not None
    if not creds.basic:
        raise AblyError(40162, "revokeTokens requires Basic auth with the issuing key.")
    if creds.key_name != key_name:
        raise AblyError(40133, "Tokens can only be revoked with the key that issued them.")
    if not creds.key.revocable:
        # UNCERTAIN: 40163 and 40164 both name this case in ably-common; 40164 is used here.
        raise AblyError(40164, f"Token revocation is not enabled for key {key_name}.")
    revoke = parse_revoke_body(await read_body(request))
    results = revoke_targets(
        ctx, creds, revoke.targets, revoke.issued_before, revoke.allow_reauth_margin
    )
    if version is not None and version < 3:
        return respond(request, [r.to_dict() for r in results], status=201)
    return respond(request, batch_result(results), status=201)


def revoke_targets(
    ctx: Context,
    creds: Credentials,
    targets: tuple[Any, ...],
    issued_before: int | None,
    margin: bool,
) -> list[TargetResult]:
    now = ctx.now_ms()
    before = now if issued_before is None else issued_before
    check_issued_before(before, now)
    applies_at = now + ctx.config.revocation_margin_ms if margin else now
    results = []
    for raw in targets:
        try:
            target = parse_target(raw)
        except AblyError as exc:
            results.append(TargetResult(str(raw), error=exc))
            continue
        record = ctx.store.add_revocation(
            creds.app_id, creds.key_name, target.type, target.value, before, applies_at, now
        )
        ctx.revocations.add(record)
        results.append(TargetResult(target.text, issued_before=before, applies_at=applies_at))
    affected = ctx.sessions.enforce_revocations(creds.key_name)
    done = [r.target for r in results if r.error is None]
    ctx.events.emit(
        ev.REVOCATION,
        f"Revoked {', '.join(done) or 'nothing'} on {creds.key_name}"
        + (" (with reauth margin)" if margin else "")
        + f"; {affected} live connection(s) affected",
        key_name=creds.key_name,
        data={"targets": done, "issuedBefore": before, "appliesAt": applies_at},
    )
    return results


def messages_of(body: Any) -> list[dict[str, Any]]:
    items = body if isinstance(body, list) else [body]
    if not items or not all(isinstance(m, dict) for m in items):
        raise AblyError(40001, "Publish a message object or a non-empty list of them.")
    out = [{str(k): v for k, v in m.items()} for m in items]
    check_portable(out)
    return out


def _on_behalf(ctx: Context, creds: Credentials, message: dict[str, Any]) -> None:
    """A ``connectionKey`` publishes on behalf of that live connection of the same app (RSL1m
    context); an unknown one is 40006."""
    key = message.pop("connectionKey", None)
    if key is None:
        return
    session = ctx.sessions.by_key(key) if isinstance(key, str) else None
    if session is None or session.app_id != creds.app_id:
        raise AblyError(40006, f"Invalid connectionKey {str(key)[:40]!r}.", status=400)
    message["connectionId"] = session.connection_id


async def publish(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    api_version(request)
    name = request.match_info["name"]
    creds, identity = authenticate(ctx, request)
    items = messages_of(await read_body(request))
    prefix, ids = publish_messages(ctx, creds, identity, name, items)
    return respond(request, {"channel": name, "messageId": prefix, "serials": ids}, status=201)


def publish_messages(
    ctx: Context, creds: Credentials, identity: Identity, name: str, items: list[dict[str, Any]]
) -> tuple[str, list[str]]:
    """Check, stamp and publish REST messages on one channel (also used by batch publish);
    returns the messageId prefix and the message ids."""
    if creds.capability.allows(name, "publish") is None:
        raise AblyError(40160, f"Unable to publish to channel {name!r}: not permitted.")
    size = sum(message_size(m) for m in items)
    if size > ctx.config.max_message_size:
        raise AblyError(40009, f"Maximum message length exceeded ({size} bytes).", status=400)
    prefix, now = f"rest-{ctx.new_id(10)}", ctx.now_ms()
    for index, message in enumerate(items):
        raw_id = message.get("clientId")
        if raw_id is not None and not isinstance(raw_id, str):
            raise AblyError(40012, "clientId must be a string.")
        client_id = stamp_message_client_id(identity, raw_id)
        if client_id is not None:
            message["clientId"] = client_id
        message.pop("connectionId", None)  # a REST publish has no connection; never the client's
        if not isinstance(message.setdefault("id", f"{prefix}:{index}"), str):
            raise AblyError(40000, "A message id must be a string.")
        message.setdefault("timestamp", now)
        _on_behalf(ctx, creds, message)
    ctx.hub.publish(creds.app_id, name, items, sender=None)
    return prefix, [m["id"] for m in items]


async def create_app(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    body = await read_body(request)
    endpoint = host_header_name(request.host) or "127.0.0.1"
    return respond(request, provisioning.create_app(ctx, body, endpoint=endpoint), status=201)


async def delete_app(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    app_id = request.match_info["appId"]
    creds = credentials(ctx, request)
    assert creds is not None
    if creds.app_id != app_id or not creds.basic:
        raise AblyError(40300, "Delete an app with Basic auth using one of its own keys.")
    delete_app_now(ctx, app_id)
    return web.Response(status=204)


def delete_app_now(ctx: Context, app_id: str) -> None:
    ctx.sessions.end_app(app_id, AblyError(40400, f"App {app_id} was deleted."))
    ctx.store.delete_app(app_id)
    ctx.revocations.drop_app(app_id)
    ctx.hub.drop_app(app_id)
    ctx.events.emit(ev.APP_DELETED, f"App {app_id} deleted")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/time", get_time)
    app.router.add_post("/keys/{keyName}/requestToken", request_token)
    app.router.add_post("/keys/{keyName}/revokeTokens", revoke_tokens)
    app.router.add_post("/channels/{name}/messages", publish)
    app.router.add_post("/apps", create_app)
    app.router.add_delete("/apps/{appId}", delete_app)
