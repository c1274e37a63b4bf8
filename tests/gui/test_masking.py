"""Mask secrets: with masking on and every tab holding something secret (an embedded-token JWT,
a TokenRequest being diagnosed, a key loaded, the classroom's instructor credential), nothing
a projector shows contains a key secret, a signature, a MAC or an inner token."""

from __future__ import annotations

from typing import Any

from tests.gui.helpers import settle, wait_until
from tests.gui.live_helpers import running_sandbox
from tests.gui.visible import visible_texts
from tokenlab.core import samples
from tokenlab.core.ably_jwt import decode_jwt
from tokenlab.core.masking import MASK, mask_secret, mask_text
from tokenlab.gui.context import AppContext
from tokenlab.gui.main_window import MainWindow, aclose_pages


def test_masks_are_stable_and_keep_the_last_4() -> None:
    secret = "fake-sample-secret-not-a-real-key-0123456789"
    assert mask_secret(secret) == MASK + "6789" == mask_secret(secret)
    assert mask_secret(mask_secret(secret)) == mask_secret(secret)
    text = f'key tLabAp.sample:{secret} and {{"mac": "abcdefghijkl"}}'
    assert mask_text(text) == f'key tLabAp.sample:{MASK}6789 and {{"mac": "{MASK}ijkl"}}'


def secrets_of(sandbox: Any, now_ms: int) -> dict[str, str]:
    embedded = samples.sample_text("embedded-jwt", now_ms=now_ms).strip()
    outer = decode_jwt(embedded)
    inner = str(outer.header["x-ably-token"])
    request = samples.sample_text("token-request", now_ms=now_ms)
    import json

    found = {
        "sample key secret": samples.SAMPLE_KEY.secret,
        "outer JWT signature": embedded.rsplit(".", 1)[1],
        "inner Ably JWT": inner,
        "inner JWT signature": inner.rsplit(".", 1)[1],
        "outer secret": samples.SAMPLE_OUTER_SECRET,
        "TokenRequest MAC": json.loads(request)["mac"],
        "instructor credential": sandbox.classroom.instructor_credential,
    }
    for label, key in sandbox.demo_keys.items():
        found[f"sandbox key {label}"] = key.secret
    return found


def made_here(jwt_tab: Any, token_request: Any) -> dict[str, str]:
    """Credentials the tabs minted themselves (with a sandbox key) in their current state."""
    import json

    found = {}
    if jwt_tab.token.count(".") == 2:
        found["JWT tab signature"] = jwt_tab.token.rsplit(".", 1)[1]
        inner = decode_jwt(jwt_tab.token).header.get("x-ably-token")
        if isinstance(inner, str):
            found["JWT tab inner token"] = inner
            found["JWT tab inner signature"] = inner.rsplit(".", 1)[-1]
    request = token_request.request_json()
    if request:
        found["TokenRequest tab MAC"] = json.loads(request)["mac"]
    return found


async def test_nothing_secret_is_visible_on_any_tab(ctx: AppContext, qtbot: Any) -> None:
    async with running_sandbox(ctx) as sandbox:
        ctx.update_settings(mask_secrets=True)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        for tab_id in window.tab_ids:  # pages are built lazily: build them all
            window.page(tab_id)
        now = ctx.now_ms()
        embedded = samples.sample_text("embedded-jwt", now_ms=now).strip()
        ctx.send_to_inspect(embedded)
        jwt_tab: Any = window.page("jwt")
        jwt_tab.mode.setCurrentIndex(1)  # build an embedded-token JWT with a sandbox key
        jwt_tab.encoded.text_edited.emit(embedded)  # and decode the sample one
        token_request: Any = window.page("token_request")
        token_request.pages.setCurrentIndex(1)
        token_request.diagnose.set_text(samples.sample_text("token-request", now_ms=now))
        sandbox_tab: Any = window.page("sandbox")
        sandbox_tab.classroom_hosts = ["127.0.0.2"]
        sandbox_tab.classroom.switch.setChecked(True)
        await wait_until(lambda: sandbox.classroom.open and sandbox_tab.classroom.join_url.text())
        secrets = secrets_of(sandbox, now)
        leaks: list[str] = []
        for tab_id in window.tab_ids:
            window.show_tab(tab_id)
            page = window.page(tab_id)
            assert page is not None
            for state, prepare in page.screenshot_states():
                prepare()
                await settle(0.05)
                secrets.update(made_here(jwt_tab, token_request))
                for where, text in visible_texts(window):
                    leaks += [f"{tab_id}/{state or '-'} {where}: {label}"
                              for label, secret in secrets.items() if secret in text]  # fmt: skip
        inspect: Any = window.page("inspect")
        window.show_tab("inspect")
        for sample_id in ("embedded-jwt", "token-request", "api-key"):
            inspect.set_text(samples.sample_text(sample_id, now_ms=now))
            await settle(0.2)  # the debounced decode
            for detail in range(inspect.view.tabs.count()):  # every details pane
                inspect.view.tabs.setCurrentIndex(detail)
                for where, text in visible_texts(window):
                    leaks += [f"inspect/{sample_id}/{detail} {where}: {label}"
                              for label, secret in secrets.items() if secret in text]  # fmt: skip
        assert not sorted(set(leaks)), "\n".join(sorted(set(leaks)))
        window.mask_action.setChecked(False)  # the test can fail: unmasked, they show
        window.show_tab("jwt")
        jwt_tab.mode.setCurrentIndex(1)
        shown = "\n".join(t for _w, t in visible_texts(window))
        assert made_here(jwt_tab, token_request)["JWT tab inner token"] in shown
        for page in window.pages.values():
            page.shutdown()
        await aclose_pages(window.pages.values())
        await ctx.runner.wait_idle()
        await ctx.aclose()  # its http pool holds sockets to the sandbox about to stop
