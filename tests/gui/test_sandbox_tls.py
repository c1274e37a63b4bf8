"""The Sandbox tab's TLS switch against a real embedded sandbox: restart on HTTPS/WSS with the
same demo keys, snippets on the TLS port, back to HTTP/WS, inline errors, applied at start-up."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from tests.gui.helpers import settle
from tests.gui.test_sandbox_tab import alice
from tokenlab.gui import app
from tokenlab.gui.context import AppContext
from tokenlab.gui.embedded_sandbox import EmbeddedSandbox
from tokenlab.gui.tabs.sandbox_tab import SandboxTab
from tokenlab.sandbox import Sandbox, SandboxConfig


@contextlib.asynccontextmanager
async def embedded(ctx: AppContext, tmp_path: Path, cert_dir: Path) -> AsyncIterator[SandboxTab]:
    """The app's embedded sandbox (a SQLite file, as in the app) and a Sandbox tab over it."""
    config = SandboxConfig(db_path=str(tmp_path / "sandbox.sqlite3"), tick_ms=50)
    host = EmbeddedSandbox(config, cert_dir, ctx.set_sandbox)
    ctx.embedded_sandbox = host
    await host.start(use_tls=ctx.settings.sandbox_tls)
    tab = SandboxTab(ctx)
    try:
        yield tab
    finally:
        await ctx.runner.wait_idle()
        await host.aclose()
        tab.close()
        tab.deleteLater()
        await settle()


def running(ctx: AppContext) -> Sandbox:
    assert isinstance(ctx.sandbox, Sandbox)
    return ctx.sandbox


def keys(sandbox: Sandbox) -> dict[str, str]:
    return {label: key.full() for label, key in sandbox.demo_keys.items()}


async def toggle(ctx: AppContext, tab: SandboxTab) -> None:
    statuses: list[str] = []

    def record() -> None:
        statuses.append(tab.status.text())

    ctx.sandbox_changed.connect(record)
    tab.tls.switch.click()
    assert not tab.tls.switch.isEnabled()  # no second click while it restarts
    await ctx.runner.wait_idle()
    ctx.sandbox_changed.disconnect(record)
    assert not any("--no-sandbox" in text for text in statuses)  # stopped, not absent


async def served_over_tls(sandbox: Sandbox, cert: Path) -> int:
    """GET /time over HTTPS and the first frame's action over WSS, trusting ``cert`` only."""
    context = ssl.create_default_context(cafile=str(cert))
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sandbox.rest_url}/time", ssl=context) as response:
            assert response.status == 200
        url = f"{sandbox.ws_url}/?key={sandbox.demo_keys['full'].full()}"
        async with http.ws_connect(url, ssl=context) as ws:
            return int((await ws.receive_json())["action"])


async def test_switch_restarts_on_https_and_wss_with_the_same_keys(
    ctx: AppContext, tmp_path: Path
) -> None:
    async with embedded(ctx, tmp_path, tmp_path / "data") as tab:
        before = running(ctx)
        demo = keys(before)
        assert not tab.tls.switch.isChecked() and tab.tls.trust.isHidden()
        await toggle(ctx, tab)
        sb = running(ctx)
        port = sb.port  # the same one unless another process took it meanwhile
        assert sb is not before and sb.rest_url == f"https://127.0.0.1:{port}"
        assert keys(sb) == demo and ctx.settings.sandbox_tls
        shown = (tab.snippets.rest_url.text(), tab.snippets.ws_url.text())
        assert shown == (sb.rest_url, sb.ws_url)
        assert f"tlsPort: {port}" in tab.snippets.js.toPlainText()
        assert f"tls_port={port}" in tab.snippets.python.toPlainText()
        assert tab.tls.switch.isChecked() and sb.rest_url in tab.tls.result.text()
        cert = tmp_path / "data" / "sandbox-cert.pem"
        trust = tab.tls.trust.text()
        assert not tab.tls.trust.isHidden() and f"SSL_CERT_FILE={cert}" in trust
        assert f"NODE_EXTRA_CA_CERTS={cert}" in trust
        assert await served_over_tls(sb, cert) == 4  # CONNECTED with the same demo key
        await toggle(ctx, tab)
        sb = running(ctx)
        port = sb.port
        assert sb.ws_url == f"ws://127.0.0.1:{port}" and keys(sb) == demo
        assert f"port: {port}," in tab.snippets.js.toPlainText()
        assert not tab.tls.switch.isChecked() and tab.tls.trust.isHidden()
        assert not ctx.settings.sandbox_tls


async def test_the_apps_own_clients_trust_the_certificate(ctx: AppContext, tmp_path: Path) -> None:
    async with embedded(ctx, tmp_path, tmp_path / "data") as tab:
        await toggle(ctx, tab)
        sb = running(ctx)
        response = await ctx.http.get(f"{sb.rest_url}/time")  # the Token Request tab's client
        assert response.status_code == 200
        async with alice(sb) as conn:  # the Live tab's realtime client, over wss
            assert conn.connection_id


async def test_the_chosen_key_stays_in_the_snippets(ctx: AppContext, tmp_path: Path) -> None:
    async with embedded(ctx, tmp_path, tmp_path / "data") as tab:
        chat = running(ctx).demo_keys["chat"]
        combo = tab.snippets.key
        combo.setCurrentIndex(combo.findText(f"Sandbox demo key: chat ({chat.name})"))
        await toggle(ctx, tab)
        assert combo.currentText() == f"Sandbox demo key: chat ({chat.name})"
        assert chat.full() in tab.snippets.python.toPlainText()


async def test_switch_is_refused_while_the_classroom_is_open(
    ctx: AppContext, tmp_path: Path
) -> None:
    async with embedded(ctx, tmp_path, tmp_path / "data") as tab:
        before = running(ctx)
        await before.open_classroom(["127.0.0.2"])
        await toggle(ctx, tab)
        assert running(ctx) is before and before.classroom.open
        assert "The classroom is open" in tab.tls.result.text()
        assert not tab.tls.switch.isChecked()


async def test_runtime_settings_survive_the_restart(ctx: AppContext, tmp_path: Path) -> None:
    async with embedded(ctx, tmp_path, tmp_path / "data") as tab:
        running(ctx).update_settings(reauth_lead_ms=12_000, clock_skew_ms=-90_000)
        await toggle(ctx, tab)
        settings = running(ctx).settings
        assert (settings.reauth_lead_ms, settings.clock_skew_ms) == (12_000, -90_000)
        assert tab.settings_panel.lead.value() == 12


async def test_unwritable_certificate_folder_is_an_inline_error(
    ctx: AppContext, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    async with embedded(ctx, tmp_path, tmp_path / "a-file" / "certs") as tab:
        before = running(ctx)
        await toggle(ctx, tab)
        assert running(ctx) is before and before.rest_url.startswith("http://")  # not stopped
        text = tab.tls.result.text()
        assert "TLS not turned on" in text and "Cannot write the sandbox's TLS certificate" in text
        assert not tab.tls.switch.isChecked() and tab.tls.switch.isEnabled()
        assert not ctx.settings.sandbox_tls


async def test_setting_is_applied_at_start_up(ctx: AppContext) -> None:
    ctx.update_settings(sandbox_tls=True)
    async with contextlib.AsyncExitStack() as stack:
        await app._start_sandbox(stack, ctx, app.Options())
        assert running(ctx).rest_url.startswith("https://")
        tab = SandboxTab(ctx)
        assert tab.tls.switch.isChecked() and "SSL_CERT_FILE" in tab.tls.trust.text()
        tab.close()
        tab.deleteLater()
        await settle()
    assert ctx.sandbox is None


async def test_start_up_without_a_usable_certificate_says_why_tls_is_off(
    ctx: AppContext, tmp_path: Path
) -> None:
    ctx.update_settings(sandbox_tls=True)
    (tmp_path / "a-file").write_text("not a folder")
    async with embedded(ctx, tmp_path, tmp_path / "a-file" / "certs") as tab:
        assert running(ctx).rest_url.startswith("http://")
        assert not tab.tls.switch.isChecked()
        assert tab.tls.result.text().startswith("TLS is off: Cannot write")


async def test_without_the_embedded_sandbox_the_switch_is_off_and_says_why(
    ctx: AppContext,
) -> None:
    tab = SandboxTab(ctx)  # --no-sandbox or --sandbox-url: nothing here to restart
    assert not tab.tls.switch.isEnabled() and not tab.tls.switch.isChecked()
    assert "embedded sandbox only" in tab.tls.switch.toolTip()
    tab.close()
    tab.deleteLater()
    await settle()
