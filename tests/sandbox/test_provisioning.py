"""Demo provisioning, the POST /apps / DELETE /apps contract (spec G2), and the store."""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
from pathlib import Path

import aiohttp

from tests.sandbox.conftest import FakeClock, config, connected, key_of, post_token_request, signed
from tokenlab.commands import sandbox as command
from tokenlab.core.keys import ApiKey
from tokenlab.sandbox import Sandbox
from tokenlab.sandbox.store import Store

ABLY_JS_KEY = re.compile(r"^([^:\s]+):([^:.\s]+)$")

POST_APPS = {
    "limits": {"presence": {"maxMembers": 250}},
    "keys": [
        {},
        {"capability": '{ "cansubscribe:*":["subscribe"], "canpublish:*":["publish"] }'},
        {"capability": '{ "channel0":["publish"], "channel6":["*"] }'},
        {"capability": '{ "*":["subscribe"] }'},
        {"revocableTokens": True},
        {"capability": '{ "[*]*":["*"] }'},
    ],
    "namespaces": [
        {"id": "persisted", "persisted": True},
        {"id": "pushenabled", "pushEnabled": True},
    ],
    "channels": [
        {
            "name": "persisted:presence_fixtures",
            "presence": [
                {"clientId": "client_bool", "data": "true"},
                {
                    "clientId": "client_decoded",
                    "data": '{"example":{"json":"Object"}}',
                    "encoding": "json",
                },
            ],
        }
    ],
}


def test_demo_keys_demonstrate_every_concept(sb: Sandbox) -> None:
    keys = {k.label: k for k in sb.list_keys(sb.demo_app_id)}
    assert set(keys) == {"full", "subscribe", "chat", "revocable"}
    assert keys["full"].capability == '{"*":["*"]}'
    assert keys["subscribe"].capability == '{"*":["subscribe"]}'
    assert keys["chat"].capability == '{"chat:*":["*"]}'
    assert keys["revocable"].revocable and not keys["full"].revocable
    for label, key in sb.demo_keys.items():
        assert len(key.secret) >= 32 and not re.search(r"[.:\s]", key.secret), label
        assert ABLY_JS_KEY.match(key.full())
        assert key.secret not in repr(key) and key.secret not in str(keys[label])


async def test_post_apps_matches_what_sdk_test_suites_read(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{sb.rest_url}/apps", json=POST_APPS) as response:
        assert response.status == 201
        assert response.headers["Content-Type"] == "application/json"
        app = await response.json()
    assert len(app["keys"]) == 6 and len(app["namespaces"]) == 2
    assert (app["endpoint"], app["port"], app["tls"]) == ("127.0.0.1", sb.port, False)
    assert app["appId"] and app["accountId"]
    for key in app["keys"]:
        assert key["keyStr"] == f"{key['keyName']}:{key['keySecret']}"
        assert key["keyName"] == f"{app['appId']}.{key['id']}" and key["value"] == key["keySecret"]
    assert app["keys"][0]["capability"] == '{"*":["*"]}'
    assert app["keys"][3]["capability"] == '{"*":["subscribe"]}'
    assert app["keys"][4]["revocableTokens"] is True
    basic = {"Authorization": ApiKey.parse(app["keys"][0]["keyStr"]).basic_auth_header()}
    url = f"{sb.rest_url}/channels/persisted:presence_fixtures/presence"
    async with http.get(url, headers=basic) as response:
        members = await response.json()
    assert sorted(m["clientId"] for m in members) == ["client_bool", "client_decoded"]
    async with http.delete(f"{sb.rest_url}/apps/{app['appId']}", headers=basic) as response:
        assert response.status == 204
    async with http.get(url, headers=basic) as response:
        assert (response.status, (await response.json())["error"]["code"]) == (401, 40400)


async def test_bad_post_apps_bodies(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    for body in ([1], {"keys": "x"}, {"keys": [{"capability": '{"a":["nope"]}'}]}):
        async with http.post(f"{sb.rest_url}/apps", json=body) as response:
            error = (await response.json())["error"]
        assert response.status == 400 and error["code"] in (40000, 40001), body
    assert len(sb.list_apps()) == 1  # nothing half-created


async def test_delete_app_needs_its_own_key(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    other = sb.create_app("other")
    headers = {"Authorization": key_of(sb).basic_auth_header()}
    async with http.delete(f"{sb.rest_url}/apps/{other}", headers=headers) as response:
        assert (response.status, (await response.json())["error"]["code"]) == (403, 40300)


async def test_deleting_an_app_ends_its_connections(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    app_id = sb.create_app("doomed")
    key = sb.create_key(app_id)
    client, _ = await connected(sb, http, key=key.full())
    sb.delete_app(app_id)
    await client.expect_error(9, 40400)


async def test_store_keeps_no_token_strings_and_journal_no_secrets(
    clock: FakeClock, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    db = tmp_path / "s.sqlite3"
    async with Sandbox(config(clock, db_path=str(db))) as sb:
        status, details = await post_token_request(sb, http, signed(sb, client_id="c").to_dict())
        assert status == 200
        jwt = sb.mint_jwt(key_of(sb).name)
        client, _ = await connected(sb, http, accessToken=details["token"])
        await client.close()
        secrets = [k.secret for k in sb.demo_keys.values()]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    dump = "\n".join(conn.iterdump())
    events = json.dumps(conn.execute("SELECT * FROM events").fetchall())
    conn.close()
    assert details["token"] not in dump and jwt not in dump
    assert all(secret in dump for secret in secrets)  # key secrets live only in the keys table
    assert not any(secret in events for secret in secrets)


def test_nonces_are_pruned_after_the_window(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.sqlite3")
    assert store.use_nonce("a.b", "n" * 16, 1_000)
    assert not store.use_nonce("a.b", "n" * 16, 1_000)
    assert store.prune_nonces(older_than=2_000) == 1
    assert store.use_nonce("a.b", "n" * 16, 1_000)
    store.close()


def test_data_dir_env_sets_the_default_store(tmp_path: Path) -> None:
    # The root conftest points TOKENLAB_DATA_DIR at this test's tmp_path.
    args = argparse.Namespace(db=None)
    assert command.db_path(args) == str(tmp_path / "data" / "sandbox.sqlite3")
    assert (tmp_path / "data").is_dir()
