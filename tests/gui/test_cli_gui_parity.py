"""One table of inputs through both front ends: the CLI (``tokenlab inspect``, ``verify``,
``watch``'s credential flags) and the GUI (Inspect tab banner, Verify pane, Live connection
editor) must give the same verdict, verification result and connection options."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import shiboken6

from tests.gui.conftest import NOW_MS
from tokenlab.cli import main
from tokenlab.commands import watch
from tokenlab.core.ably_jwt import b64url_encode, hs256, mint_ably_jwt
from tokenlab.core.keys import ApiKey
from tokenlab.core.settings import KeyProfile
from tokenlab.core.tokens import TokenParams, create_token_request
from tokenlab.gui.context import AppContext
from tokenlab.gui.live.connections import ConnectionSpec, build_auth
from tokenlab.gui.tabs.inspect_tab import InspectTab
from tokenlab.realtime.credentials import auth_summary

KEY = ApiKey("tLabPa", "parity", "parity-secret-0123456789abcdefghijklmno")
NOW_S = NOW_MS // 1000
KEY_CAPABILITY = '{"chat:*":["subscribe","publish"]}'  # known to both front ends


def _jwt(claims: dict[str, Any], secret: str = KEY.secret) -> str:
    header = {"typ": "JWT", "alg": "HS256", "kid": KEY.name}
    signing = b64url_encode(json.dumps(header).encode()) + "."
    signing += b64url_encode(json.dumps(claims).encode())
    return signing + "." + b64url_encode(hs256(secret, signing))


def _request() -> str:
    params = TokenParams(client_id="alice", ttl=3_600_000, timestamp=NOW_MS, nonce="n" * 16)
    return create_token_request(KEY, params).to_json()


def _details() -> str:
    details = {
        "token": "tLabPa.opaque-token-abcdefgh",
        "issued": NOW_MS,
        "expires": NOW_MS + 60_000,
        "keyName": KEY.name,
        "capability": '{"*":["*"]}',
    }
    return json.dumps(details)


def _fine() -> str:
    return mint_ably_jwt(KEY, iat_s=NOW_S, ttl_s=600, client_id="a", capability='{"*":["*"]}')


def _expired() -> str:
    return mint_ably_jwt(KEY, iat_s=NOW_S - 7200, ttl_s=3600, capability="{}")


def _typo() -> str:
    return _jwt({"iat": NOW_S, "exp": NOW_S + 600, "x-ably-capabilities": '{"*":["*"]}'})


def _ms_exp() -> str:
    return _jwt({"iat": NOW_S, "exp": NOW_MS + 600_000, "x-ably-capability": "{}"})


def _wrong_secret() -> str:
    return _jwt({"iat": NOW_S, "exp": NOW_S + 600, "x-ably-capability": "{}"}, "other")


@dataclass(frozen=True)
class Case:
    id: str
    text: Callable[[], str]
    outcome: str  # the verdict every front end shows
    valid: bool | None  # the signature / MAC checked with KEY (None: nothing signed)
    auth_mode: str  # what a connection made from this input uses


CASES = [
    Case("ably-jwt", _fine, "fine", True, "token"),
    Case("expired", _expired, "rejected", True, "token"),
    Case("typo-claim", _typo, "accepted_but", True, "token"),
    Case("ms-exp", _ms_exp, "rejected", True, "token"),
    Case("wrong-secret", _wrong_secret, "rejected", False, "token"),
    Case("api-key", KEY.full, "accepted_but", None, "key"),
    Case("token-request", _request, "fine", True, "auth_callback"),
    Case("token-details", _details, "fine", None, "token_details"),
]


@pytest.fixture
async def tab(ctx: AppContext, qtbot: Any) -> Any:
    ctx.add_key_profile(KeyProfile("parity", KEY.name, "sandbox", KEY_CAPABILITY), KEY.secret)
    page = InspectTab(ctx)
    qtbot.addWidget(page)
    page.show()
    yield page
    if shiboken6.isValid(page):
        page.shutdown()


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    main(list(argv))
    out, _ = capsys.readouterr()
    data: dict[str, Any] = json.loads(out)
    return data


def _cli_valid(capsys: pytest.CaptureFixture[str], text: str) -> bool | None:
    data = _cli_json(capsys, "verify", text, "--key", KEY.full(), "--json")
    return bool(data["macOk"] if "macOk" in data else data["valid"])


def _cli_auth(text: str) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    watch.register(parser.add_subparsers())
    args = parser.parse_args(["watch", "--token", text])
    return auth_summary(watch.auth_from_args(args, None))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_cli_and_gui_agree(
    case: Case, tab: InspectTab, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.delenv("TOKENLAB_KEY", raising=False)
    text = case.text()
    cli = _cli_json(
        capsys, "inspect", text, "--json", f"--now-ms={NOW_MS}", "--key", KEY.full(),
        "--key-capability", KEY_CAPABILITY, "--can", "subscribe:chat:lobby",
    )  # fmt: skip
    tab.set_text(text)
    assert tab.report is not None
    # the verdict: the same outcome and the very same sentence
    assert cli["verdict"]["outcome"] == case.outcome
    assert tab.view.banner.verdict.text() == cli["verdict"]["sentence"]
    # "can it subscribe on chat:lobby?": the same answer
    tab.view.matrix.operation.setCurrentText("subscribe")
    tab.view.matrix.channel.setText("chat:lobby")
    assert tab.view.matrix.result.text() == cli["can"][0]["sentence"]
    # the verification result with the key
    verify = tab.view.verify
    verify.source.setCurrentIndex(verify.source.findData(KEY.name))
    if case.valid is None:
        assert verify.verdict().severity == "info"
    else:
        assert _cli_valid(capsys, text) is case.valid
        assert (verify.verdict().severity in ("ok", "warning")) is case.valid
    # the connection options made from it
    gui_auth = auth_summary(build_auth(ConnectionSpec("parity", auth_mode="token", token=text), {}))
    assert gui_auth == _cli_auth(text)
    assert gui_auth["mode"] == case.auth_mode


@pytest.mark.parametrize(
    ("field", "flag"), [("authParams", "--auth-param"), ("authHeaders", "--auth-header")]
)
async def test_a_malformed_pair_reads_the_same_in_the_live_editor_and_watch(
    qtbot: Any, field: str, flag: str
) -> None:
    from tokenlab.core.errors import UserError
    from tokenlab.gui.live.connection_editor import ConnectionEditor

    editor = ConnectionEditor()
    qtbot.addWidget(editor)
    box = editor.auth_params if field == "authParams" else editor.auth_headers
    box.setPlainText("clientId=alice\noops")
    with pytest.raises(UserError) as gui:
        editor.spec()
    parser = argparse.ArgumentParser()
    watch.register(parser.add_subparsers())
    args = parser.parse_args(["watch", "--auth-url", "http://127.0.0.1:9/auth", flag, "oops"])
    with pytest.raises(UserError) as cli:
        watch.auth_from_args(args, None)
    assert gui.value.message == f"{field} line 2 is not name=value: 'oops'."
    assert cli.value.message == f"{flag} is not name=value: 'oops'."
    assert (gui.value.code, gui.value.fix) == (cli.value.code, cli.value.fix)
