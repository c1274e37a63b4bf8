"""The Inspect tab: decoding as you type, samples, claims, capability, findings, verify, diff."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QMimeData, QUrl

from tests.gui.helpers import wait_until
from tokenlab.core import samples
from tokenlab.core.ably_jwt import b64url_encode, hs256
from tokenlab.core.report import TokenKind
from tokenlab.core.settings import KeyProfile
from tokenlab.core.timefmt import year
from tokenlab.gui.context import AppContext
from tokenlab.gui.tabs.inspect_tab import DEBOUNCE_MS, InspectTab
from tokenlab.gui.widgets.token_editor import ColourRange

NOW = 1_700_000_000_000


@pytest.fixture
async def tab(ctx: AppContext, qtbot: Any) -> Any:
    page = InspectTab(ctx)
    qtbot.addWidget(page)
    page.show()
    yield page
    if shiboken6.isValid(page):
        page.shutdown()


def _sample(sample_id: str) -> str:
    return samples.sample_text(sample_id, now_ms=NOW).strip()


async def test_empty_state_teaches_and_offers_samples(tab: InspectTab) -> None:
    assert tab.stack.currentWidget() is tab.empty
    assert {"an Ably JWT", "a TokenRequest", "an expired token", "a pasted API key"} <= set(
        tab.empty.buttons
    )
    tab.empty.buttons["a TokenRequest"].click()
    assert tab.report is not None and tab.report.kind == TokenKind.TOKEN_REQUEST
    assert tab.stack.currentWidget() is not tab.empty


async def test_decodes_as_you_type_after_a_debounce(tab: InspectTab) -> None:
    token = _sample("ably-jwt")
    tab.editor.setPlainText(token)
    assert tab.report is None  # not yet: decoding waits for a pause in typing
    await wait_until(
        lambda: tab.report is not None and tab.report.kind == TokenKind.ABLY_JWT,
        timeout=DEBOUNCE_MS / 1000 * 20,
    )
    names = [row.field.name for row in tab.view.claims.rows]
    assert names == ["typ", "alg", "kid", "iat", "exp", "x-ably-capability", "x-ably-clientId"]
    assert tab.view.identity.client_id.text() == "'alice@example.com'"


async def test_parts_are_coloured_from_the_inspector_segments(tab: InspectTab) -> None:
    token = _sample("ably-jwt")
    tab.set_text(f"Bearer {token}")
    parts = {r.part for r in tab.editor.highlighter._ranges}
    assert {"header", "claims", "signature", "wrapper"} <= parts
    header = next(r for r in tab.editor.highlighter._ranges if r.part == "header")
    assert header == ColourRange("header", 7, 7 + token.index("."))


async def test_expired_token_shows_an_error_with_its_ably_code(tab: InspectTab) -> None:
    tab.set_text(_sample("expired-token"))
    codes = [f.ably_code for f in tab.view.findings.findings]
    assert 40142 in codes
    assert tab.view.banner.verdict.text().startswith("Rejected: Ably would refuse it with 40142")
    assert "expired" in tab.view.banner.times.text()
    matrix = tab.view.matrix
    matrix.channel.setText("chat:lobby")
    matrix.operation.setCurrentText("subscribe")
    assert matrix.result.text().startswith("Yes, but the token is expired")
    assert "40142" in matrix.result.text()


async def test_pasted_api_key_is_flagged(tab: InspectTab) -> None:
    tab.accept_paste(_sample("api-key"))
    assert tab.report is not None and tab.report.kind == TokenKind.API_KEY
    assert any(f.code == "key.pasted" for f in tab.view.findings.findings)
    verdict = tab.view.banner.verdict.text()
    assert verdict.startswith("Accepted, but:") and "Ably would reject" not in verdict
    assert tab.view.banner.verdict.text() == tab.report.verdict.sentence  # as the CLI says it
    assert tab.copy_text() == _sample("api-key")  # the raw text, never a masked token


async def test_capability_matrix_and_question(tab: InspectTab) -> None:
    tab.set_text(_sample("ably-jwt"))
    matrix = tab.view.matrix
    assert matrix.model.rowCount() == 2
    matrix.channel.setText("chat:lobby")
    matrix.operation.setCurrentText("publish")
    assert matrix.result.text().startswith("Yes") and "chat:*" in matrix.result.text()
    matrix.channel.setText("secret")
    assert matrix.result.text().startswith("No") and "40160" in matrix.result.text()


async def test_signature_checked_with_known_keys(tab: InspectTab, ctx: AppContext) -> None:
    tab.set_text(_sample("ably-jwt"))
    assert "Signed by" in tab.view.verify.automatic.text()
    tab.view.verify.source.setCurrentIndex(0)  # a secret I type
    tab.view.verify.secret.setText(samples.SAMPLE_KEY.secret)
    assert tab.view.verify.result.text().startswith("Signature verified")
    tab.view.verify.secret.setText("wrong-secret")
    assert "does not match" in tab.view.verify.result.text()


async def test_token_request_mac_verified_by_typed_secret(tab: InspectTab) -> None:
    tab.set_text(_sample("token-request"))
    tab.view.verify.source.setCurrentIndex(0)
    tab.view.verify.secret.setText(samples.SAMPLE_KEY.secret)
    assert tab.view.verify.result.text().startswith("MAC verified")


async def test_profile_keys_feed_verification(tab: InspectTab, ctx: AppContext) -> None:
    before = tab.view.verify.source.count()
    ctx.add_key_profile(KeyProfile("mine", "app.key"), "my-secret")
    assert tab.view.verify.source.count() == before + 1


async def test_diff_against_a_second_token(tab: InspectTab) -> None:
    tab.set_text(_sample("ably-jwt"))
    tab.view.diff.other.set_text(_sample("expired-token"))
    fields = {c.name for c in tab.view.diff.model.changes}
    assert {"iat", "exp", "x-ably-clientId", "x-ably-capability"} <= fields


async def test_inner_token_of_embedded_jwt(tab: InspectTab) -> None:
    tab.set_text(_sample("embedded-jwt"))
    assert tab.report is not None and tab.report.kind == TokenKind.EMBEDDED_JWT
    assert not tab.inner_button.isHidden()
    tab.inner_button.click()
    assert tab.report.kind == TokenKind.ABLY_JWT


async def test_mask_secrets_paints_the_signature_over(tab: InspectTab, ctx: AppContext) -> None:
    tab.set_text(_sample("ably-jwt"))
    ctx.update_settings(mask_secrets=True)
    assert tab.editor.highlighter.masked
    fmt = tab.editor.highlighter._format("signature")
    assert fmt.background().color() == fmt.foreground().color()
    ctx.update_settings(mask_secrets=False)
    assert not tab.editor.highlighter.masked


async def test_files_paste_as_text_and_big_files_are_refused(
    tab: InspectTab, tmp_path: Path
) -> None:
    good = tmp_path / "jwt.txt"
    good.write_text(_sample("ably-jwt"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(good))])
    tab.editor.insertFromMimeData(mime)
    tab.decode_now()
    assert tab.report is not None and tab.report.kind == TokenKind.ABLY_JWT
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2_000_000)
    tab.open_file(str(big))
    assert "KiB" in tab.feedback.text() and tab.feedback.isVisibleTo(tab)


async def test_huge_input_is_inspected_off_the_gui_thread(tab: InspectTab) -> None:
    tab.set_text("x" * 200_000)
    assert tab.ctx.runner.busy
    await tab.ctx.runner.wait_idle()
    assert tab.report is not None and tab.report.input_length == 200_000


async def test_times_follow_the_chosen_format(tab: InspectTab, ctx: AppContext) -> None:
    tab.set_text(_sample("ably-jwt"))
    exp = next(i for i, r in enumerate(tab.view.claims.rows) if r.field.name == "exp")
    index = tab.view.claims.index(exp, 2)
    assert "in 1 h" in tab.view.claims.data(index)
    ctx.update_settings(time_format="utc")
    assert tab.view.claims.data(index).endswith("Z)")


async def test_inputs_without_claims_say_so(tab: InspectTab) -> None:
    tab.set_text(_sample("api-key"))
    assert tab.view.claims_page.currentWidget() is tab.view.no_claims
    tab.set_text(_sample("ably-jwt"))
    assert tab.view.claims_page.currentWidget() is tab.view.claims_view


def _jwt(claims: dict[str, Any]) -> str:
    """An HS256 JWT signed with the sample key, claims as given (deliberately odd values)."""
    header = {"typ": "JWT", "alg": "HS256", "kid": samples.SAMPLE_KEY.name}
    head = b64url_encode(json.dumps(header).encode())
    signing = f"{head}.{b64url_encode(json.dumps(claims).encode())}"
    return f"{signing}.{b64url_encode(hs256(samples.SAMPLE_KEY.secret, signing))}"


async def test_ms_exp_header_agrees_with_the_finding(tab: InspectTab) -> None:
    exp_ms = NOW + 3_600_000
    tab.set_text(_jwt({"iat": NOW // 1000, "exp": exp_ms, "x-ably-capability": "{}"}))
    finding = next(f for f in tab.view.findings.findings if f.code == "jwt.exp_in_ms")
    assert f"year {year(exp_ms * 1000):,}" in finding.message and "1796" not in finding.message
    assert "min" not in tab.view.banner.times.text()
    assert "years" in tab.view.banner.times.text()


async def test_misspelt_claim_is_accepted_but_and_codes_are_not_body_text(tab: InspectTab) -> None:
    from tokenlab.gui.widgets.findings_view import card_html

    tab.set_text(_jwt({"iat": NOW // 1000, "exp": NOW // 1000 + 600, "x-ably-capabilities": "{}"}))
    assert tab.view.banner.verdict.text().startswith(
        "Accepted, but: Ably ignores the unknown claim 'x-ably-capabilities'"
    )
    for finding in tab.view.findings.findings:
        body = card_html(finding, tab.palette())
        assert finding.code not in body  # e.g. "claims.misspelt" stays out of the card
    counts = tab.view.findings.summary.text()
    assert "Nothing Ably would object to" not in counts


async def test_token_from_the_embedded_sandbox_is_described(tab: InspectTab, sandbox: Any) -> None:
    key = sandbox.demo_keys["chat"]
    details = sandbox.issue_token(key.name, client_id="carol")
    tab.set_text(details.token)
    assert "issued by the embedded sandbox" in tab.view.banner.title.text()
    assert tab.view.identity.client_id.text() == "'carol'"
    assert "expires in 1 h" in tab.view.banner.times.text()
    assert not any(f.code == "input.key_name" for f in tab.view.findings.findings)
