"""Apps and keys: the demo app made on first start, and the ``POST /apps`` provisioning contract.

The demo app has one key per concept (capabilities; revocable keys, RSA17): ``full`` ({"*":["*"]}),
``subscribe`` ({"*":["subscribe"]}), ``chat`` ({"chat:*":["*"]}) and ``revocable``
({"*":["*"]} with revocableTokens). Secrets are shaped like real Ably secrets (no ``.``, ``:`` or
whitespace), so ably-js accepts the keys.

``create_app`` implements the sandbox provisioning API of spec G2 (the body of
``ably-common/test-resources/test-app-setup.json``), so an SDK's own test suite can create its
test app here: each key's ``capability`` (a JSON string, default all) and ``revocableTokens``,
namespaces echoed back, and presence fixtures for ``channels[].presence``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tokenlab.core.capability import Capability
from tokenlab.core.errors import AblyError
from tokenlab.core.keys import ApiKey, generate_secret
from tokenlab.sandbox import config as ev
from tokenlab.sandbox.context import Context
from tokenlab.sandbox.store import AppRecord, KeyRecord

DEMO_APP_META = "demo_app_id"
DEMO_KEYS: tuple[tuple[str, str, bool], ...] = (
    ("full", '{"*":["*"]}', False),
    ("subscribe", '{"*":["subscribe"]}', False),
    ("chat", '{"chat:*":["*"]}', False),
    ("revocable", '{"*":["*"]}', True),
)
MAX_KEYS_PER_APP = 50


@dataclass(frozen=True)
class KeySpec:
    capability: str = '{"*":["*"]}'
    revocable: bool = False
    label: str = ""


def api_key(record: KeyRecord) -> ApiKey:
    return ApiKey(record.app_id, record.key_id, record.secret)


def new_app(ctx: Context, label: str, *, demo: bool = False) -> AppRecord:
    app = AppRecord(
        app_id=ctx.new_id(6),
        account_id=ctx.new_id(6),
        label=label,
        created_ms=ctx.now_ms(),
        demo=demo,
    )
    ctx.store.add_app(app)
    ctx.events.emit(ev.APP_CREATED, f"App {app.app_id} ({label}) created")
    return app


def new_key(ctx: Context, app_id: str, spec: KeySpec, position: int = 0) -> KeyRecord:
    capability = Capability.parse(spec.capability)  # CapabilityError 40000 / 400
    key_id = ctx.new_id(6)
    record = KeyRecord(
        key_name=f"{app_id}.{key_id}",
        app_id=app_id,
        key_id=key_id,
        secret=generate_secret(ctx.config.rand),
        capability=capability.canonical(),
        revocable=spec.revocable,
        label=spec.label or key_id,
        created_ms=ctx.now_ms(),
        revoked_ms=None,
    )
    ctx.store.add_key(record, position)
    ctx.events.emit(
        ev.KEY_CREATED,
        f"Key {record.key_name} ({record.label}) created: {record.capability}"
        + (", revocable tokens" if record.revocable else ""),
        key_name=record.key_name,
    )
    return record


def ensure_demo(ctx: Context) -> AppRecord:
    """The demo app, created (with its four keys) the first time the store is used."""
    app_id = ctx.store.get_meta(DEMO_APP_META)
    existing = ctx.store.app(app_id) if app_id else None
    if existing is not None:
        return existing
    app = new_app(ctx, "tokenlab demo", demo=True)
    for position, (label, capability, revocable) in enumerate(DEMO_KEYS):
        new_key(ctx, app.app_id, KeySpec(capability, revocable, label), position)
    ctx.store.set_meta(DEMO_APP_META, app.app_id)
    return app


def demo_keys(ctx: Context) -> dict[str, ApiKey]:
    app_id = ctx.store.get_meta(DEMO_APP_META)
    if not app_id:
        return {}
    return {k.label: api_key(k) for k in ctx.store.keys(app_id)}


# -- POST /apps ------------------------------------------------------------------------------
def _field(mapping: Mapping[Any, Any], name: str) -> Any:
    for key, value in mapping.items():
        if (key.decode() if isinstance(key, bytes) else key) == name:
            return value
    return None


def _key_spec(raw: Any, index: int) -> KeySpec:
    if not isinstance(raw, Mapping):
        raise AblyError(40001, f"keys[{index}] must be an object.")
    capability = _field(raw, "capability")
    if isinstance(capability, Mapping):
        capability = Capability.parse(capability).canonical()
    if capability is not None and not isinstance(capability, str):
        raise AblyError(40001, f"keys[{index}].capability must be a JSON string.")
    revocable = _field(raw, "revocableTokens")
    canonical = Capability.parse(capability or '{"*":["*"]}').canonical()  # 40000 before writing
    return KeySpec(canonical, bool(revocable), f"key{index}")


def create_app(ctx: Context, body: Any, *, endpoint: str) -> dict[str, Any]:
    """Provision an app from a ``post_apps`` body; the response matches what ably-js and
    ably-python read (spec G2), plus ``endpoint``/``port``/``tls`` for local-sandbox mode."""
    body = body if body is not None else {}
    if not isinstance(body, Mapping):
        raise AblyError(40001, "The POST /apps body must be an object.")
    raw_keys = _field(body, "keys") or [{}]
    if not isinstance(raw_keys, list) or len(raw_keys) > MAX_KEYS_PER_APP:
        raise AblyError(40001, f"keys must be a list of at most {MAX_KEYS_PER_APP} objects.")
    specs = [_key_spec(raw, i) for i, raw in enumerate(raw_keys)]  # validate before writing
    namespaces = _field(body, "namespaces") or []
    if not isinstance(namespaces, list):
        raise AblyError(40001, "namespaces must be a list.")
    app = new_app(ctx, "provisioned via POST /apps")
    keys = [new_key(ctx, app.app_id, spec, i) for i, spec in enumerate(specs)]
    _fixtures(ctx, app.app_id, _field(body, "channels"))
    return {
        "appId": app.app_id,
        "accountId": app.account_id,
        "status": "enabled",
        "tlsOnly": False,
        "keys": [key_json(k) for k in keys],
        "namespaces": [n for n in namespaces if isinstance(n, Mapping)],
        "endpoint": endpoint,
        "port": ctx.port,
        "tls": False,
    }


def key_json(key: KeyRecord) -> dict[str, Any]:
    return {
        "id": key.key_id,
        "value": key.secret,
        "keyName": key.key_name,
        "keySecret": key.secret,
        "keyStr": f"{key.key_name}:{key.secret}",
        "capability": key.capability,
        "revocableTokens": key.revocable,
        "status": 0,
    }


def _fixtures(ctx: Context, app_id: str, channels: Any) -> None:
    if not isinstance(channels, list):
        return
    for channel in channels:
        if not isinstance(channel, Mapping):
            continue
        name, members = _field(channel, "name"), _field(channel, "presence")
        if not isinstance(name, str) or not isinstance(members, list):
            continue
        for member in members:
            if isinstance(member, Mapping) and isinstance(_field(member, "clientId"), str):
                ctx.hub.add_fixture(
                    app_id,
                    name,
                    _field(member, "clientId"),
                    _field(member, "data"),
                    _field(member, "encoding"),
                )
