"""The JWT tab: minting, live re-signing of edited JSON, decoding, verifying, Use in Live."""

from __future__ import annotations

import json
from typing import Any

import pytest
import shiboken6
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tokenlab.core import samples
from tokenlab.core.ably_jwt import decode_jwt, mint_ably_jwt, verify_hs256
from tokenlab.core.inspector import inspect
from tokenlab.core.keys import ApiKey
from tokenlab.core.report import TokenKind
from tokenlab.gui.context import AppContext, UseInLive
from tokenlab.gui.tabs.jwt_tab import JwtTab, sign_hs256

NOW_S = 1_700_000_000


@pytest.fixture
async def tab(ctx: AppContext, qtbot: Any) -> Any:
    page = JwtTab(ctx)
    qtbot.addWidget(page)
    page.show()
    yield page
    if shiboken6.isValid(page):
        page.shutdown()


def test_sign_hs256_matches_the_reference_vector() -> None:
    header = {"typ": "JWT", "alg": "HS256", "kid": "appId.keyId"}
    claims = {
        "iat": NOW_S,
        "exp": NOW_S + 3600,
        "x-ably-capability": '{"*":["*"]}',
        "x-ably-clientId": "user@example.com",
    }
    assert sign_hs256(header, claims, "s3cr3t").endswith(
        ".PeGHxxBkAtR9oHmf7CeQPrG7A2Z1yzqcV0mOZuqCqtk"
    )


async def test_mints_an_ably_jwt_like_core(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    tab.ably.capability.setText('{"chat:*":["publish"]}')
    tab.ably.client_id.setText("bob")
    expected = mint_ably_jwt(
        samples.SAMPLE_KEY,
        iat_s=tab.ctx.now_ms() // 1000,
        ttl_s=3600,
        capability='{"chat:*":["publish"]}',
        client_id="bob",
    )
    assert tab.token == expected
    assert tab.signature.text().startswith("Signature verified")
    assert inspect(tab.token, now_ms=tab.ctx.now_ms()).kind == TokenKind.ABLY_JWT


async def test_editing_claims_re_signs_live(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    claims = json.loads(tab.claims_edit.toPlainText())
    claims["x-ably-clientId"] = "mallory"
    tab.claims_edit.setPlainText(json.dumps(claims))
    decoded = decode_jwt(tab.token)
    assert decoded.claims["x-ably-clientId"] == "mallory"
    assert verify_hs256(decoded, samples.SAMPLE_KEY.secret)
    tab.claims_edit.setPlainText("{broken")
    assert "not valid JSON" in tab.sign_feedback.text()


async def test_misspelt_claim_is_flagged(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    claims = json.loads(tab.claims_edit.toPlainText())
    claims["x-ably-capabilities"] = claims.pop("x-ably-capability")
    tab.claims_edit.setPlainText(json.dumps(claims))
    assert any("x-ably-capability" in f.message for f in tab.findings.findings)


async def test_pasting_a_token_decodes_and_verifies(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    foreign = mint_ably_jwt(samples.SAMPLE_KEY, iat_s=NOW_S, ttl_s=60, client_id="carol")
    tab.encoded.setPlainText(foreign)
    assert json.loads(tab.claims_edit.toPlainText())["x-ably-clientId"] == "carol"
    assert tab.token == foreign  # decoding does not re-sign
    assert tab.signature.text().startswith("Signature verified")
    tampered = foreign[:-2] + ("AA" if not foreign.endswith("AA") else "BB")
    tab.encoded.setPlainText(tampered)
    assert "does not match" in tab.signature.text()


async def test_embedded_mode(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    tab.mode.setCurrentIndex(1)
    assert tab.embedded.isVisibleTo(tab) and tab.ably.isVisibleTo(tab)
    report = inspect(tab.token, now_ms=tab.ctx.now_ms(), known_keys=[samples.SAMPLE_KEY])
    assert report.kind == TokenKind.EMBEDDED_JWT
    assert report.inner is not None and report.inner.kind == TokenKind.ABLY_JWT
    assert "your outer secret" in tab.signature.text()
    tab.embedded.placement.setCurrentIndex(1)
    assert "x-ably-token" in json.loads(tab.claims_edit.toPlainText())


async def test_general_mode_with_a_pem_key(tab: JwtTab) -> None:
    tab.mode.setCurrentIndex(2)
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    tab.general.algorithm.setCurrentText("ES256")
    tab.general.key.setPlainText(pem)
    assert decode_jwt(tab.token).alg == "ES256"
    assert tab.signature.text().startswith("Signature verified (ES256")
    tab.general.algorithm.setCurrentText("HS256")
    assert "HMAC" in tab.sign_feedback.text() or "Cannot sign" in tab.sign_feedback.text()


async def test_use_in_live_and_open_in_inspect(tab: JwtTab, ctx: AppContext) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    handed: list[UseInLive] = []
    sent: list[str] = []
    ctx.use_in_live.connect(handed.append)
    ctx.token_sent_to_inspect.connect(sent.append)
    tab.use_in_live()
    tab.open_in_inspect()
    assert handed[0].kind == "token" and handed[0].value == tab.token
    assert sent == [tab.token]


async def test_expiry_ticks(tab: JwtTab, ctx: AppContext) -> None:
    clock = [ctx.now_ms()]
    ctx.now_ms = lambda: clock[0]
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    tab.rebuild()
    assert "expires in 1 h" in tab.banner.times.text()
    assert tab._tick.isActive()
    clock[0] += 1_000
    tab._on_tick()
    assert "expires in 59 min 59 s" in tab.banner.times.text()
    clock[0] += 3_600_000
    for _ in range(5):
        tab._on_tick()
    assert "expired" in tab.banner.times.text()
    assert tab.banner.verdict.text().startswith("Rejected")


async def test_form_follows_claims_edited_by_hand(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    claims = json.loads(tab.claims_edit.toPlainText())
    claims["x-ably-clientId"] = "mallory"
    claims["exp"] = claims["iat"] + 120
    tab.claims_edit.setPlainText(json.dumps(claims))
    assert tab.ably.client_id.text() == "mallory"
    assert tab.ably.ttl.value() * int(tab.ably.ttl_unit.currentData()) == 120
    tab.ably.revocation_key.setText("group-a")  # a form edit re-signs from the form
    decoded = decode_jwt(tab.token)
    assert decoded.claims["x-ably-clientId"] == "mallory"
    assert decoded.claims["exp"] - decoded.claims["iat"] == 120


def _edit(tab: JwtTab, header: dict[str, Any] | None = None, **claims: Any) -> None:
    """Edit the JSON as a user would: the header (if given), then the claims."""
    if header is not None:
        tab.header_edit.setPlainText(json.dumps(header))
    tab.claims_edit.setPlainText(json.dumps(claims))


async def test_ably_form_marks_a_lifetime_the_claims_no_longer_have(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    claims = json.loads(tab.claims_edit.toPlainText())
    del claims["exp"]
    _edit(tab, **claims)
    assert "no numeric exp" in tab.form_note.text()
    assert "expires" not in tab.banner.times.text()
    tab.ably.client_id.setText("erin")  # a form edit re-signs from the form: the note goes
    assert tab.form_note.text() == ""


async def test_embedded_form_follows_the_edited_outer_and_inner_jwt(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    tab.mode.setCurrentIndex(1)
    iat = tab.ctx.now_ms() // 1000
    inner = mint_ably_jwt(samples.SAMPLE_KEY, iat_s=iat, ttl_s=600, client_id="dave")
    _edit(
        tab,
        {"typ": "JWT", "alg": "HS256"},
        iat=iat,
        exp=iat + 120,
        sub="u-7",
        **{"x-ably-token": inner},
    )
    assert tab.embedded.subject.text() == "u-7"
    assert tab.embedded.placement.currentIndex() == 1  # the token is now a claim
    assert tab.embedded.ttl.value() * int(tab.embedded.ttl_unit.currentData()) == 120
    assert tab.ably.client_id.text() == "dave"  # the inner Ably JWT's claims
    assert tab.ably.ttl.value() * int(tab.ably.ttl_unit.currentData()) == 600
    assert "expires in 2 min" in tab.banner.times.text()  # the header follows the JSON
    assert tab.form_note.text() == ""
    assert decode_jwt(tab.token).claims["sub"] == "u-7"
    _edit(tab, iat=iat, exp=iat + 120)  # sub and the token removed by hand
    assert tab.embedded.subject.text() == ""
    assert "no x-ably-token" in tab.form_note.text()
    assert "sub" not in decode_jwt(tab.token).claims


async def test_embedded_form_marks_an_inner_token_that_is_not_a_jwt(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    tab.mode.setCurrentIndex(1)
    tab.ably.client_id.setText("alice")
    header = json.loads(tab.header_edit.toPlainText())
    header["x-ably-token"] = "not-a-jwt"
    tab.header_edit.setPlainText(json.dumps(header))
    assert "not a JWT" in tab.form_note.text()
    assert tab.ably.client_id.text() == "alice"


async def test_general_form_follows_the_edited_json(tab: JwtTab) -> None:
    tab.mode.setCurrentIndex(2)
    iat = tab.ctx.now_ms() // 1000
    _edit(tab, {"typ": "JWT", "alg": "HS512"}, sub="s-1", aud=["a", "b"], iat=iat, exp=iat + 90)
    assert tab.general.algorithm.currentText() == "HS512"
    assert tab.general.issuer.text() == ""  # iss removed by hand
    assert tab.general.subject.text() == "s-1"
    assert tab.general.audience.text() == ""
    assert "aud is not a string" in tab.form_note.text()
    assert tab.general.ttl.value() * int(tab.general.ttl_unit.currentData()) == 90
    assert decode_jwt(tab.token).alg == "HS512"
    assert "expires in 1 min 30 s" in tab.banner.times.text()
    _edit(tab, sub="s-1", iat=iat)
    assert "no numeric exp" in tab.form_note.text()
    assert "expires" not in tab.banner.times.text()


async def test_json_that_does_not_sign_replaces_the_verdict(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    assert "expires in" in tab.banner.times.text()
    signed = tab.token
    tab.claims_edit.setPlainText("[1, 2]")
    assert tab.banner.verdict.text().startswith("Not signed: see the message under the claims.")
    assert tab.sign_feedback.text().startswith("The claims must be a JSON object.")
    assert tab.banner.times.text() == "" and not tab.findings.findings
    assert tab.token == signed
    tab.claims_edit.setPlainText(json.dumps({"x-ably-clientId": "zed"}))
    assert not tab.banner.verdict.text().startswith("Not signed")


async def test_a_kid_that_is_not_the_selected_key_is_named(tab: JwtTab) -> None:
    tab.ably.keys.select(samples.SAMPLE_KEY.name)
    header = json.loads(tab.header_edit.toPlainText())
    header["kid"] = "other.key"
    tab.header_edit.setPlainText(json.dumps(header))
    assert f"kid 'other.key' is not the selected key '{samples.SAMPLE_KEY.name}'" in (
        tab.form_note.text()
    )
    del header["kid"]
    tab.header_edit.setPlainText(json.dumps(header))
    assert "the header has no kid" in tab.form_note.text()
    header["kid"] = samples.SAMPLE_KEY.name
    tab.header_edit.setPlainText(json.dumps(header))
    assert tab.form_note.text() == ""
    tab.mode.setCurrentIndex(1)  # embedded: the inner token's kid is checked the same way
    other = ApiKey("other", "key", "s3cr3t")
    inner = mint_ably_jwt(other, iat_s=NOW_S, ttl_s=60)
    header = json.loads(tab.header_edit.toPlainText())
    header["x-ably-token"] = inner
    tab.header_edit.setPlainText(json.dumps(header))
    assert "kid 'other.key' is not the selected key" in tab.form_note.text()
