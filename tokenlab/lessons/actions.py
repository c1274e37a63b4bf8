"""The step actions: what "connect", "publish", "revoke", "mint"... do against a sandbox.

Each action is a coroutine ``(state, params) -> ActionResult``. An expected failure (an
``AblyError`` or any ``UserError``) is not an exception here: it becomes a failed result with
its Ably code, because many lessons are about exactly that failure.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tokenlab.core.ably_jwt import decode_jwt, mint_embedded_jwt
from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.inspector import inspect
from tokenlab.core.tokens import TokenDetails, TokenParams, TokenRequest, create_token_request
from tokenlab.lessons.env import LessonEnv
from tokenlab.lessons.observe import ActionResult
from tokenlab.realtime import (
    AuthCallbackAuth,
    AuthConfig,
    AuthUrlAuth,
    ClientOptions,
    Connection,
    IssuerAuth,
    KeyAuth,
    Timeouts,
    TokenAuth,
)

OUTER_SECRET = "your-own-auth-system-secret"  # the embedded JWT's outer key: never Ably's
LESSON_TIMEOUTS = Timeouts(disconnected_retry_timeout=1_000, suspended_retry_timeout=2_000)


@dataclass
class RunState:
    """What a lesson run keeps between steps: saved tokens and the sandbox settings to put
    back on reset."""

    env: LessonEnv
    tokens: dict[str, str] = field(default_factory=dict)
    connections: list[str] = field(default_factory=list)
    auth: dict[str, AuthConfig] = field(default_factory=dict)  # each connection's current auth
    saved_settings: dict[str, int] = field(default_factory=dict)

    def token(self, name: str) -> str:
        try:
            return self.tokens[name]
        except KeyError:
            raise UserError(
                f"No token saved as {name!r} yet.",
                code="lesson.token",
                fix="Run the step that mints it first.",
            ) from None

    def connection(self, name: str) -> Connection:
        return self.env.manager.get(name)


Action = Callable[[RunState, Mapping[str, Any]], Awaitable[ActionResult]]


def failed(exc: UserError) -> ActionResult:
    code = exc.ably_code if isinstance(exc, AblyError) else getattr(exc, "ably_code", None)
    return ActionResult(ok=False, error_code=code, message=exc.message)


# -- connections --------------------------------------------------------------------------


def _auth(state: RunState, p: Mapping[str, Any]) -> AuthConfig:
    key = state.env.key(p.get("key", "full"))
    kind = p["auth"]
    cid, cap, ttl = p.get("client_id"), p.get("capability"), p.get("ttl_ms")
    if kind == "basic":
        return KeyAuth(key)
    if kind in ("token_request", "jwt"):
        return IssuerAuth(key, kind, cid, cap, ttl)
    if kind == "ably_token":
        return IssuerAuth(key, "token", cid, cap, ttl)
    if kind == "auth_callback":
        return AuthCallbackAuth(_callback(state, key, cid, cap, ttl), label="lesson authCallback")
    if kind == "auth_url":
        return AuthUrlAuth(
            state.env.sandbox.rest_url + p["auth_url"],
            p.get("auth_method", "GET"),
            dict(p.get("auth_params", {})),
            dict(p.get("auth_headers", {})),
        )
    return TokenAuth(token=state.token(p["token"]))


def _callback(state: RunState, key: Any, cid: Any, cap: Any, ttl: Any) -> Any:
    """An authCallback like your app's: it signs a TokenRequest for the clientId it decides."""

    def auth_callback(params: TokenParams) -> TokenRequest:
        wanted = TokenParams(ttl=ttl or params.ttl, capability=cap or params.capability)
        return create_token_request(
            key, replace(wanted, client_id=cid), now_ms=state.env.sandbox.now_ms
        )

    return auth_callback


async def connect(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    name = p["connection"]
    manager = state.env.manager
    if name in manager:
        await manager.remove(name)
    try:
        auth = _auth(state, p)
        options = ClientOptions(
            endpoint=state.env.endpoint,
            auth=auth,
            client_id=p.get("client_id_option"),
            query_time=p.get("query_time", False),
            timeouts=LESSON_TIMEOUTS,
        )
        manager.add(name, options)
    except UserError as exc:
        return failed(exc)
    state.auth[name] = auth
    if name not in state.connections:
        state.connections.append(name)
    return ActionResult()


async def attach(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    try:
        await state.connection(p["connection"]).channels.get(p["channel"]).attach()
    except UserError as exc:
        return failed(exc)
    return ActionResult()


async def publish(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    try:
        channel = state.connection(p["connection"]).channels.get(p["channel"])
        if channel.state != "attached":
            await channel.attach()
        await channel.publish(
            p.get("name", "greeting"), p.get("data"), client_id=p.get("client_id")
        )
    except UserError as exc:
        return failed(exc)
    return ActionResult()


async def enter_presence(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    try:
        channel = state.connection(p["connection"]).channels.get(p["channel"])
        await channel.presence.enter(p.get("data"))
    except UserError as exc:
        return failed(exc)
    return ActionResult()


async def authorize(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    try:
        conn = state.connection(p["connection"])
        cfg = state.auth.get(conn.name, conn.options.auth)
        cid, cap, ttl = p.get("client_id"), p.get("capability"), p.get("ttl_ms")
        if isinstance(cfg, IssuerAuth):
            changes = {"client_id": cid, "capability": cap, "ttl_ms": ttl}
            cfg = replace(cfg, **{k: v for k, v in changes.items() if v is not None})
            state.auth[conn.name] = cfg
            await conn.authorize(auth=cfg)
        else:
            await conn.authorize(TokenParams(ttl=ttl, capability=cap, client_id=cid))
    except UserError as exc:
        return failed(exc)
    return ActionResult()


async def revoke(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    try:
        client_id = p.get("client_id") or state.connection(p["connection"]).client_id
        if not client_id:
            raise UserError("That connection has no clientId to revoke.", code="lesson.revoke")
        key = state.env.key(p.get("key", "revocable"))
        margin = p.get("allow_reauth_margin", False)
        state.env.sandbox.revoke_client_id(key.name, client_id, allow_reauth_margin=margin)
    except UserError as exc:
        return failed(exc)
    return ActionResult()


async def drop_network(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    try:
        state.connection(p["connection"]).simulate_network_drop()
    except UserError as exc:
        return failed(exc)
    return ActionResult()


async def set_clock_skew(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    sandbox = state.env.sandbox
    state.saved_settings.setdefault("clock_skew_ms", sandbox.settings.clock_skew_ms)
    sandbox.update_settings(clock_skew_ms=p["skew_ms"])
    return ActionResult()


async def set_reauth_lead(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    sandbox = state.env.sandbox
    state.saved_settings.setdefault("reauth_lead_ms", sandbox.settings.reauth_lead_ms)
    try:
        sandbox.update_settings(reauth_lead_ms=p["lead_ms"])
    except UserError as exc:
        return failed(exc)
    return ActionResult()


async def wait(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    return ActionResult()  # the step's expectations are what is awaited


# -- tokens -----------------------------------------------------------------------------------


def _mint_text(state: RunState, p: Mapping[str, Any]) -> str:
    sandbox = state.env.sandbox
    key = state.env.key(p.get("key", "full"))
    cid, cap, ttl = p.get("client_id"), p.get("capability"), p.get("ttl_ms")
    kind = p["kind"]
    if kind == "ably_token":
        return sandbox.issue_token(key.name, client_id=cid, capability=cap, ttl_ms=ttl).token
    if kind == "jwt":
        return sandbox.mint_jwt(key.name, client_id=cid, capability=cap, ttl_ms=ttl or 3_600_000)
    if kind == "embedded_jwt":
        now_s = sandbox.now_ms() // 1000
        outer = p.get("outer_ttl_ms", 600_000) // 1000
        inner = state.token(p["token"])
        return mint_embedded_jwt(inner, outer_secret=OUTER_SECRET, iat_s=now_s, exp_s=now_s + outer)
    now = sandbox.now_ms() + p.get("timestamp_offset_ms", 0)
    params = TokenParams(ttl=ttl, capability=cap, client_id=cid, timestamp=now)
    return create_token_request(key, params).to_json()


def describe(state: RunState, text: str) -> ActionResult:
    """Read a token the way the Inspect tab does: kind, clientId, JWT field names."""
    report = inspect(text, now_ms=state.env.sandbox.now_ms())
    names: set[str] = {f.name for f in (*report.header, *report.claims)}
    client_id = report.identity.client_id if report.identity else None
    if report.kind == "token_request":
        client_id = json.loads(text).get("clientId")
    return ActionResult(
        token=text,
        token_kind=str(report.kind),
        token_client_id=client_id,
        names=frozenset(names),
    )


async def mint(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    try:
        text = _mint_text(state, p)
    except UserError as exc:
        return failed(exc)
    state.tokens[p["save_as"]] = text
    return describe(state, text)


async def request_token(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    """POST the saved TokenRequest to /keys/{keyName}/requestToken, as an SDK would."""
    body = json.loads(state.token(p["token"]))
    url = f"{state.env.sandbox.rest_url}/keys/{body.get('keyName')}/requestToken"
    response = await state.env.http.post(url, json=body)
    if not response.is_success:
        return _http_failure(response.status_code, response.content)
    details = TokenDetails.from_dict(response.json())
    if "save_as" in p:
        state.tokens[p["save_as"]] = details.token
    result = describe(state, details.token)
    result.token_client_id = details.client_id
    return result


def _http_failure(status: int, content: bytes) -> ActionResult:
    try:
        error = json.loads(content)["error"]
        return ActionResult(ok=False, error_code=int(error["code"]), message=str(error["message"]))
    except (ValueError, KeyError, TypeError):
        return ActionResult(ok=False, message=f"HTTP {status}")


async def tamper(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    """Change one field of a saved TokenRequest (or the payload of a saved JWT) without
    re-signing it: what an attacker can do without the key secret."""
    name, fld, value = p["token"], p["field"], p.get("value")
    text = state.token(name)
    if text.lstrip().startswith("{"):
        body = json.loads(text)
        body[fld] = _tampered(body.get(fld), value)
        new = json.dumps(body)
    else:
        head, payload, sig = text.split(".")
        claims = decode_jwt(text).claims
        claims[fld] = _tampered(claims.get(fld), value)
        raw = json.dumps(claims, separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        new = f"{head}.{payload}.{sig}"
    state.tokens[p.get("save_as", name)] = new
    return describe(state, new)


def _tampered(old: Any, value: Any) -> Any:
    if value is not None:
        return value
    if isinstance(old, str) and old:
        return ("A" if old[0] != "A" else "B") + old[1:]
    return old


async def inspect_token(state: RunState, p: Mapping[str, Any]) -> ActionResult:
    return describe(state, state.token(p["token"]))


ACTIONS: dict[str, Action] = {
    "connect": connect,
    "attach": attach,
    "publish": publish,
    "enter_presence": enter_presence,
    "authorize": authorize,
    "revoke": revoke,
    "drop_network": drop_network,
    "set_clock_skew": set_clock_skew,
    "set_reauth_lead": set_reauth_lead,
    "mint": mint,
    "request_token": request_token,
    "tamper": tamper,
    "inspect": inspect_token,
    "wait": wait,
}
