"""The Sandbox tab against a real embedded sandbox (and as it looks without one)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.modeltest import ModelTester

from tests.gui.helpers import settle, wait_until
from tests.gui.live_helpers import FAST, running_sandbox
from tokenlab.core.settings import KeyProfile
from tokenlab.gui.context import AppContext
from tokenlab.gui.tabs.sandbox_tab import SandboxTab
from tokenlab.realtime.connection import Connection
from tokenlab.realtime.events import StateChanged
from tokenlab.realtime.manager import ConnectionManager
from tokenlab.realtime.options import ClientOptions, Endpoint, IssuerAuth
from tokenlab.sandbox import Sandbox


@pytest.fixture
def keep_alive() -> Iterator[list[object]]:
    """Objects that must outlive qtmodeltester's teardown (it disconnects from the models)."""
    objects: list[object] = []
    yield objects
    objects.clear()


@contextlib.asynccontextmanager
async def alice(sandbox: Sandbox, key: str = "revocable") -> AsyncIterator[Connection]:
    options = ClientOptions(
        endpoint=Endpoint.sandbox(sandbox.ws_url, sandbox.rest_url),
        auth=IssuerAuth(key=sandbox.demo_keys[key], client_id="alice", ttl_ms=60_000),
        **FAST,
    )
    async with ConnectionManager() as manager:
        conn = manager.add("alice", options)
        await conn.wait_connected(timeout_ms=30_000)
        yield conn


def kinds(conn: Connection) -> list[str]:
    return [e.kind for e in conn.stream.history()]


def states(conn: Connection) -> list[str]:
    return [e.body.current for e in conn.stream.history() if isinstance(e.body, StateChanged)]


def reason_codes(conn: Connection) -> list[int]:
    """Error codes of the state changes seen (the client renews at once, so a 40141 passes)."""
    return [
        e.body.reason.code
        for e in conn.stream.history()
        if isinstance(e.body, StateChanged) and e.body.reason is not None
    ]


def texts(tab: SandboxTab, model_name: str, column: int) -> list[str]:
    model = getattr(tab, model_name)
    return [model.index(r, column).data() for r in range(model.rowCount())]


async def test_shows_keys_tokens_and_live_connections(
    keep_alive: list[object], qtmodeltester: ModelTester, ctx: AppContext
) -> None:
    async with running_sandbox(ctx) as sandbox, alice(sandbox):
        tab = SandboxTab(ctx)
        keep_alive.append(tab)
        assert sandbox.rest_url in tab.status.text()
        for model in (tab.keys, tab.tokens, tab.connections, tab.journal):
            qtmodeltester.check(model, force_py=True)
        labels = texts(tab, "keys", 2)
        assert {"full", "subscribe", "chat", "revocable"} <= set(labels)
        assert "alice" in texts(tab, "tokens", 2)
        row = texts(tab, "connections", 1).index("alice")
        assert tab.connections.index(row, 4).data().startswith("token expires in ")
        assert tab.connections.index(row, 2).data() == "identified"
        assert any("alice" in (e.client_id or "") for e in tab.journal.records())


async def test_mask_secrets_hides_key_secrets_but_copy_keeps_them(ctx: AppContext) -> None:
    async with running_sandbox(ctx) as sandbox:
        tab = SandboxTab(ctx)
        full = sandbox.demo_keys["full"]
        index = tab.snippets.key.findText(full.name, Qt.MatchFlag.MatchContains)
        tab.snippets.key.setCurrentIndex(index)
        assert full.secret in tab.snippets.js.toPlainText()
        assert f"port={sandbox.port}" in tab.snippets.python.toPlainText()
        ctx.update_settings(mask_secrets=True)
        assert full.secret not in tab.snippets.js.toPlainText()
        assert full.secret not in tab.snippets.python.toPlainText()
        assert all(k.endswith(":••••") for k in texts(tab, "keys", 1))
        tab.snippets.copy.click()
        assert full.secret in QGuiApplication.clipboard().text()


async def test_secrets_are_masked_when_the_tab_opens_in_presenter_mode(ctx: AppContext) -> None:
    ctx.update_settings(mask_secrets=True)
    async with running_sandbox(ctx) as sandbox:
        tab = SandboxTab(ctx)
        shown = tab.snippets.js.toPlainText() + tab.snippets.python.toPlainText()
        assert shown and all(k.secret not in shown for k in sandbox.demo_keys.values())


async def test_revoke_by_client_id_disconnects_the_client(ctx: AppContext) -> None:
    async with running_sandbox(ctx) as sandbox, alice(sandbox) as conn:
        tab = SandboxTab(ctx)
        assert tab.revoke.key_name() == sandbox.demo_keys["revocable"].name
        assert "revocable" in tab.revoke.key.currentText()  # the label says which key it is
        tab.revoke.value.setText("alice")
        tab.revoke.revoke.click()
        assert "clientId:alice: revoked" in tab.revoke.result.text()
        await wait_until(lambda: 40141 in reason_codes(conn))


async def test_revoking_a_non_revocable_key_is_an_inline_error(ctx: AppContext) -> None:
    async with running_sandbox(ctx) as sandbox:
        tab = SandboxTab(ctx)
        tab._on_revoke_requested(sandbox.demo_keys["full"].name, "clientId:alice", False)
        assert "40164" in tab.revoke.result.text()


async def test_settings_and_key_creation(ctx: AppContext) -> None:
    async with running_sandbox(ctx) as sandbox:
        tab = SandboxTab(ctx)
        tab.settings_panel.lead.setValue(12)
        tab.settings_panel.skew.setValue(-90)
        tab.settings_panel.apply.click()
        assert (sandbox.settings.reauth_lead_ms, sandbox.settings.clock_skew_ms) == (
            12_000,
            -90_000,
        )
        tab.key_form.capability.setText('{"chat:*":["publish"]}')
        tab.key_form.revocable.setChecked(True)
        tab.key_form.label.setText("workshop")
        tab.key_form.create_key.click()
        assert "workshop" in texts(tab, "keys", 2)
        assert tab.revoke.key.count() == 2  # the demo revocable key and the new one
        tab.key_form.capability.setText("{not json")
        tab.key_form.create_key.click()
        assert "Create key failed: 40000" in tab.action_result.text()


async def test_drop_and_reauth_a_connection(ctx: AppContext) -> None:
    async with running_sandbox(ctx) as sandbox, alice(sandbox) as conn:
        tab = SandboxTab(ctx)
        tab.connections_view.selectRow(0)
        tab.reauth.click()
        assert "AUTH sent" in tab.action_result.text()
        await wait_until(lambda: "renewal_succeeded" in kinds(conn))
        first_id = conn.connection_id
        tab.connections_view.selectRow(0)
        tab.drop.click()
        assert "dropped" in tab.action_result.text()
        await wait_until(lambda: "disconnected" in states(conn))
        await conn.wait_connected(timeout_ms=30_000)
        assert conn.connection_id == first_id  # resumed


async def test_without_a_sandbox_it_says_so(ctx: AppContext) -> None:
    tab = SandboxTab(ctx)
    assert tab.mode() == "none"
    assert "--no-sandbox" in tab.status.text()
    assert not tab.details.isEnabled() and not tab.settings_panel.isEnabled()
    assert tab.snippets.js.toPlainText() == "" and not tab.snippets.copy.isEnabled()


async def test_external_sandbox_snippets_and_rest_revocation(ctx: AppContext) -> None:
    async with running_sandbox(ctx) as sandbox, alice(sandbox) as conn:
        ctx.set_sandbox(None)
        ctx.external_sandbox_url = sandbox.rest_url
        revocable = sandbox.demo_keys["revocable"]
        ctx.add_key_profile(KeyProfile("workshop", revocable.name, "sandbox"), revocable.secret)
        tab = SandboxTab(ctx)
        tab._on_ctx_sandbox_changed()
        assert tab.mode() == "external" and "another process" in tab.status.text()
        assert f"port: {sandbox.port}" in tab.snippets.js.toPlainText()
        assert not tab.details.isEnabled()
        tab.revoke.value.setText("alice")
        tab.revoke.revoke.click()
        await wait_until(lambda: "revoked" in tab.revoke.result.text())
        await wait_until(lambda: 40141 in reason_codes(conn))
        # A parentless tab is deleted here, on the loop, not by a later gc.collect() while Qt
        # may still hold it (that ordering crashed PySide in the teardown's collection).
        tab.close()
        tab.deleteLater()
        await settle()


def test_record_tables_refit_their_headers_when_the_font_grows(qtbot: Any) -> None:
    # presenter mode turns the font up after the tables were built: "Token expires" stayed cut
    from PySide6.QtWidgets import QWidget

    from tokenlab.gui.models.sandbox_models import roster_model
    from tokenlab.gui.widgets.sandbox_panels import record_table

    holder = QWidget()
    qtbot.addWidget(holder)
    model = roster_model(lambda: 1_700_000_000_000, holder)
    view = record_table(holder, model, "Classroom roster")
    holder.show()
    model.replace([])
    font = view.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    view.setFont(font)
    header = view.horizontalHeader()
    for column in range(model.columnCount() - 1):  # the last section stretches
        assert header.sectionSize(column) >= header.sectionSizeHint(column), column


async def test_a_stopped_sandbox_is_not_queried(keep_alive: list[object], ctx: AppContext) -> None:
    # a TLS restart or the app's shutdown stops the sandbox before the context lets go of it:
    # a pending refresh then raised "The sandbox is not running" into the error reporter
    from tokenlab.sandbox import SandboxConfig

    sandbox = Sandbox(SandboxConfig())
    await sandbox.start()
    ctx.set_sandbox(sandbox)
    tab = SandboxTab(ctx)
    keep_alive.append(tab)
    assert tab.keys.rowCount() > 0
    await sandbox.stop()
    tab.refresh()
    assert tab.sandbox is None and not ctx.reporter.reports
    tab.shutdown()
    ctx.set_sandbox(None)
