"""The TokenRequest tab: signing, sign text, problems, intersection preview, exchange, diagnose."""

from __future__ import annotations

import json
from typing import Any

import pytest
import shiboken6

from tests.gui.conftest import NOW_MS
from tests.gui.helpers import wait_until
from tokenlab.core import samples
from tokenlab.core.report import TokenKind
from tokenlab.core.tokens import compute_mac, sign_text
from tokenlab.gui.context import AppContext, UseInLive
from tokenlab.gui.tabs.token_request_tab import TokenRequestTab


@pytest.fixture
async def tab(ctx: AppContext, qtbot: Any) -> Any:
    page = TokenRequestTab(ctx)
    qtbot.addWidget(page)
    page.show()
    yield page
    if shiboken6.isValid(page):
        page.shutdown()


def _select_key(tab: TokenRequestTab, source: str, name: str | None = None) -> None:
    picker = tab.form.keys
    for i in range(picker.combo.count()):
        choice = picker._choices[i] if i < len(picker._choices) else None
        if choice and choice.source == source and (name is None or name in choice.label):
            picker.combo.setCurrentIndex(i)
            return
    raise AssertionError(f"no {source} key {name}")


async def test_signs_exactly_like_core(tab: TokenRequestTab) -> None:
    _select_key(tab, "sample")
    tab.form.client_id.setText("bob")
    tab.form.nonce.setText("0123456789abcdef")
    request = tab.request
    assert request is not None
    expected_text = sign_text(
        samples.SAMPLE_KEY.name,
        3_600_000,
        request.capability,
        "bob",
        tab.form.timestamp_ms,
        "0123456789abcdef",
    )
    assert tab.sign_text.sign_text() == expected_text
    assert request.mac == compute_mac(samples.SAMPLE_KEY.secret, expected_text)
    assert tab.mac.text() == request.mac
    assert json.loads(tab.request_json())["mac"] == request.mac
    html = tab.sign_text.toHtml()
    assert html.count("↵") == 6


async def test_wildcard_and_no_client_id(tab: TokenRequestTab) -> None:
    _select_key(tab, "sample")
    tab.form.client_mode.button(2).setChecked(True)
    assert tab.request is not None and tab.request.client_id == "*"
    tab.form.client_mode.button(0).setChecked(True)
    assert tab.request.client_id is None
    assert tab.sign_text.sign_text().split("\n")[3] == ""


async def test_problems_are_named_with_ably_codes(tab: TokenRequestTab) -> None:
    _select_key(tab, "sample")
    tab.form.ttl_unit.setCurrentIndex(3)  # h
    tab.form.ttl.setValue(25)
    assert "40003" in tab.problems.text()
    assert tab.problems.text().startswith("Rejected: ")  # the one verdict language
    tab.form.ttl.setValue(1)
    tab.form.client_id.setText("")
    assert "40012" in tab.problems.text()
    tab.form.client_id.setText("alice")
    tab.form.nonce.setText("short")
    assert "at least 16" in tab.problems.text()
    assert tab.request is not None  # still signed: learners can send it and see the error


async def test_ttl_units(tab: TokenRequestTab) -> None:
    tab.form.ttl_unit.setCurrentIndex(1)  # s
    tab.form.ttl.setValue(90)
    assert tab.form.ttl_ms() == 90_000
    assert "1 min 30 s" in tab.form.ttl_ms_label.text()
    tab.form.ttl.setValue(0)
    assert tab.form.ttl_ms() is None


async def test_capability_table_and_json_stay_in_sync(tab: TokenRequestTab) -> None:
    editor = tab.form.capability
    editor.json.setPlainText('{"news":["subscribe"],"chat:*":["publish"]}')
    assert editor.model.rows == (("news", "subscribe"), ("chat:*", "publish"))
    editor.model.setData(editor.model.index(0, 1), "subscribe, history")
    assert json.loads(editor.json.toPlainText())["news"] == ["subscribe", "history"]
    assert tab.request is not None and tab.request.capability == editor.json.toPlainText()
    editor.json.setPlainText('{"chat": ["publsh"]}')
    assert "publsh" in editor.feedback.text() and "40000" in editor.feedback.text()
    editor.omit.setChecked(True)
    assert tab.request.capability is None


async def test_intersection_preview_marks_dropped_operations(
    tab: TokenRequestTab, sandbox: Any
) -> None:
    _select_key(tab, "sandbox", "subscribe")
    tab.form.capability.json.setPlainText('{"chat:*":["publish","subscribe"]}')
    model = tab.preview.model
    assert model.cell(0, 0) == "dropped"  # publish: the key only subscribes
    assert model.cell(0, 1) == "granted"


async def test_exchange_at_the_sandbox(tab: TokenRequestTab, sandbox: Any, ctx: AppContext) -> None:
    _select_key(tab, "sandbox", "full")
    tab.form.client_id.setText("alice")
    tab.exchange()
    await ctx.runner.wait_idle()
    assert tab.details is not None
    assert tab.details.client_id == "alice"
    assert json.loads(tab.token_json.toPlainText())["token"] == tab.details.token
    assert "expiring in 1 h" in tab.exchange_feedback.text()
    ctx.now_ms = lambda: NOW_MS + 1_000
    tab._on_tick()  # the once-a-second timer
    assert "expiring in 59 min 59 s" in tab.exchange_feedback.text()
    sent: list[str] = []
    ctx.token_sent_to_inspect.connect(sent.append)
    tab.open_token.click()
    assert json.loads(sent[0])["token"] == tab.details.token
    handed: list[UseInLive] = []
    ctx.use_in_live.connect(handed.append)
    tab.live_token.click()
    assert handed[0].kind == "token" and handed[0].value == tab.details.token


async def test_refused_exchange_shows_ably_error_inline(
    tab: TokenRequestTab, sandbox: Any, ctx: AppContext
) -> None:
    _select_key(tab, "sandbox", "full")
    tab.form.offset_ms = -10 * 60_000  # a clock 10 min slow: outside the ±2 min window
    tab.exchange()
    await ctx.runner.wait_idle()
    assert tab.details is None
    assert "40104" in tab.exchange_feedback.text()


async def test_unreachable_endpoint_is_a_user_error(tab: TokenRequestTab, ctx: AppContext) -> None:
    from tokenlab.core.settings import KeyProfile

    ctx.add_key_profile(KeyProfile("nowhere", "app.key", "http://127.0.0.1:9"), "secret")
    _select_key(tab, "profile")
    tab.exchange()
    await ctx.runner.wait_idle()
    assert "40170" in tab.exchange_feedback.text()
    assert not ctx.reporter.reports


async def test_server_time_offset(tab: TokenRequestTab, sandbox: Any, ctx: AppContext) -> None:
    _select_key(tab, "sandbox", "full")
    tab.form.clock.setCurrentIndex(1)
    await ctx.runner.wait_idle()
    await wait_until(lambda: "Server clock" in tab.form.time_feedback.text())
    # the sandbox runs on this computer's clock: the offset is tiny
    assert abs(tab.form.offset_ms) < 2_000


async def test_diagnose_a_rejected_request(tab: TokenRequestTab) -> None:
    tab.diagnose.set_text(samples.load_sample("token-request"))
    assert tab.diagnose.keys.current() is not None
    assert tab.diagnose.keys.current().source == "sample"  # picked by keyName
    codes = {f.code for f in tab.diagnose.findings.findings}
    assert "token_request.timestamp_not_current" in codes
    assert "40104" in tab.diagnose.verdict.text()
    tampered = json.loads(samples.load_sample("token-request"))
    tampered["clientId"] = "mallory"
    tab.diagnose.set_text(json.dumps(tampered))
    assert any(f.ably_code == 40101 for f in tab.diagnose.findings.findings)


async def test_open_request_in_inspect(tab: TokenRequestTab, ctx: AppContext) -> None:
    _select_key(tab, "sample")
    sent: list[str] = []
    ctx.token_sent_to_inspect.connect(sent.append)
    tab._send_request(ctx.send_to_inspect)
    from tokenlab.core.inspector import inspect

    assert inspect(sent[0], now_ms=ctx.now_ms()).kind == TokenKind.TOKEN_REQUEST


async def test_mask_hides_the_mac(tab: TokenRequestTab, ctx: AppContext) -> None:
    _select_key(tab, "sample")
    mac = tab.request.mac if tab.request else ""
    ctx.update_settings(mask_secrets=True)
    assert mac and mac not in tab.mac.text() and mac not in tab.json.toPlainText()
    assert mac in tab.request_json()  # copying still gives the real request
    ctx.update_settings(mask_secrets=False)
    assert tab.mac.text() == mac


async def test_diagnose_with_nothing_pasted_claims_nothing(tab: TokenRequestTab) -> None:
    tab.diagnose.set_text("")
    assert tab.diagnose.findings.summary.text() == ""
    assert "no findings" not in tab.diagnose.verdict.text().lower()
    assert "Paste a TokenRequest" in tab.diagnose.verdict.text()


async def test_opened_three_minutes_after_launch_the_timestamp_is_current(
    ctx: AppContext, qtbot: Any
) -> None:
    clock = [NOW_MS]
    ctx.now_ms = lambda: clock[0]
    page = TokenRequestTab(ctx)  # created at launch, not shown yet
    qtbot.addWidget(page)
    clock[0] += 3 * 60_000
    page.show()  # the user opens the tab three minutes later
    try:
        assert page.request is not None and page.request.timestamp == clock[0]
        assert "40104" not in page.form.time_feedback.text()
        assert "40104" not in page.problems.text()
        clock[0] += 30_000
        assert json.loads(page.request_json())["timestamp"] == clock[0]  # stamped when copied
        clock[0] += 61_000
        page.form.tick()  # the once-a-second timer: stamped again before it gets stale
        assert page.request.timestamp == clock[0]
        assert "now" in page.form.timestamp_label.text()
    finally:
        page.shutdown()


async def test_auth_url_tester_shows_request_response_and_verdict(
    tab: TokenRequestTab, sandbox: Any, ctx: AppContext
) -> None:
    tester = tab.auth_url
    assert tester.url.text() == f"{sandbox.rest_url}/auth/token-request"
    tester.method.setCurrentText("POST")
    tester.params.setPlainText("clientId=alice\nkey=full")
    tester.headers.setPlainText("Authorization: Bearer session-secret")
    tester.origin.setText("http://127.0.0.2:3000")
    tester.run_test()
    await ctx.runner.wait_idle()
    assert tester.feedback.text().startswith("Accepted: a TokenRequest")
    sent = tester.sent.toPlainText()
    assert sent.startswith("POST ") and "clientId = alice" in sent
    assert "session-secret" not in sent and "••••" in sent
    assert "The auth server says it received" in tester.answer.toPlainText()
    cors = tester.cors.text()
    assert "Not a simple request" in cors and "allows origin" in cors
    tester.params.setPlainText("not a pair")
    tester.run_test()
    assert "authParams line 1" in tester.feedback.text()


async def test_auth_url_tester_masks_the_answer_in_presenter_mode(
    tab: TokenRequestTab, sandbox: Any, ctx: AppContext
) -> None:
    tester = tab.auth_url
    tester.url.setText(f"{sandbox.rest_url}/auth/token-request")
    tester.run_test()
    await ctx.runner.wait_idle()
    assert tester.check is not None and tester.check.result is not None
    mac = json.loads(tester.check.result)["mac"]
    assert mac in tester.answer.toPlainText()
    ctx.update_settings(mask_secrets=True)
    assert mac not in tester.answer.toPlainText()
