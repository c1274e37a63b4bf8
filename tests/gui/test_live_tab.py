"""The Live tab against a real embedded sandbox and real realtime connections."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.modeltest import ModelTester

from tests.gui.helpers import wait_until
from tests.gui.live_helpers import entries, kinds, live_tab
from tokenlab.core.clock import system_now_ms
from tokenlab.gui.context import AppContext, UseInLive
from tokenlab.gui.live.connections import STATE_ROLE
from tokenlab.gui.live.log_store import FrameRecord
from tokenlab.gui.live.tab import LiveTab
from tokenlab.gui.live.timeline_paint import STATE_COLOURS
from tokenlab.realtime.events import TokenObtained


def add(tab: LiveTab, preset: str, **fields: object) -> str:
    tab._on_panel_preset_chosen(preset)
    editor = tab.panel.editor
    if "ttl_s" in fields:
        editor.ttl.setValue(int(str(fields["ttl_s"])))
    if "capability" in fields:
        editor.capability.setText(str(fields["capability"]))
    name = editor.name.text()
    tab.panel.connect_button.click()
    return name


def reauthorised(tab: LiveTab, name: str) -> bool:
    return any(
        getattr(e.payload, "event", "") == "update" for e in entries(tab, "state_changed", name)
    )


def states_of(tab: LiveTab, name: str) -> list[str]:
    return [getattr(e.payload, "current", "") for e in entries(tab, "state_changed", name)]


async def connected(tab: LiveTab, name: str) -> None:
    await wait_until(lambda: tab.connections.state_of(name) == "connected")


@pytest.fixture
def keep_alive() -> Iterator[list[object]]:
    """Objects that must outlive qtmodeltester's teardown (it disconnects from the models)."""
    objects: list[object] = []
    yield objects
    objects.clear()


async def test_presets_connect_with_their_identities(
    keep_alive: list[object], qtmodeltester: ModelTester, ctx: AppContext
) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        keep_alive.append(live)
        alice, bob, anon = add(live, "Alice"), add(live, "Bob"), add(live, "Anonymous")
        basic, reader = add(live, "Basic"), add(live, "Reader")
        for name in (alice, bob, anon, basic, reader):
            await connected(live, name)
        assert live.manager.get(alice).client_id == "alice"
        assert live.manager.get(bob).client_id == "*"  # a wildcard token, no clientId option
        assert live.manager.get(anon).client_id is None
        assert live.manager.get(basic).client_id == "basic-user"  # the key claims it
        assert live.manager.get(reader).client_id == "reader"
        qtmodeltester.check(live.connections, force_py=True)
        # unfiltered, the table shows the log model itself (no per-row proxy cost)
        assert live.log.table.model() is live.log_model
        qtmodeltester.check(live.log_model, force_py=True)
        row = live.connections.index(live.connections.row_of(alice), 0)
        assert row.data(STATE_ROLE) == "connected"
        assert "alice" in row.data()
        # every event reached the log, in sequence order, none twice
        seqs = [e.seq for e in live.log_model.entries()]
        assert seqs == sorted(set(seqs)) and seqs[0] == 1
        # the log can be narrowed to one connection
        live.log.show_connection(bob)
        assert live.log.table.model() is live.log.proxy
        assert 0 < live.log.proxy.rowCount() < live.log_model.rowCount()
        assert "of" in live.log.count.text()
        live.log.show_connection(None)
        assert live.log.table.model() is live.log_model
        assert live.log.count.text() == f"{live.log_model.rowCount():,} events"


async def test_timeline_draws_a_lane_per_connection(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        names = [add(live, "Alice"), add(live, "Bob")]
        for name in names:
            await connected(live, name)
        await wait_until(lambda: len(live.timeline.lanes.lanes) == 2)
        canvas = live.timeline.canvas

        def bands_are_connected_up_to_now() -> bool:
            # the connected band grows with time: wait until it is a few pixels wide
            canvas.tick()
            image = canvas.render_image(canvas.width(), canvas.height())
            g = canvas.current_geometry()
            x = round(g.x_for(system_now_ms())) - 3
            return all(
                image.pixelColor(x, g.band_rect(lane).center().y()) == STATE_COLOURS["connected"]
                for lane in range(2)
            )

        await wait_until(bands_are_connected_up_to_now)


async def test_server_auth_renews_the_token_and_shows_the_diff(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice", ttl_s=3)  # the sandbox sends AUTH 2 s before expiry
        await connected(live, alice)
        await wait_until(lambda: "renewal_succeeded" in kinds(live, alice))
        tokens = entries(live, "token_obtained", alice)
        assert len(tokens) >= 2
        renewed = tokens[1]
        assert renewed.previous_token is not None
        assert isinstance(renewed.payload, TokenObtained)
        assert renewed.payload.trigger == "server_auth"
        lane = live.timeline.lanes.lane(alice)
        assert {"server_auth", "renewed"} <= {m.kind for m in lane.markers}
        assert len(lane.tokens) >= 2
        live.details.show_entry(renewed)
        text = live.details.toPlainText()
        assert "Compared with the previous token, changed: token, issued, expires." in text


async def test_details_decode_frames_and_respect_mask(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice")
        await connected(live, alice)
        connected_frame = next(
            e
            for e in entries(live, "frame_received", alice)
            if isinstance(e.payload, FrameRecord) and e.payload.action_name == "CONNECTED"
        )
        live.details.show_entry(connected_frame)
        text = live.details.toPlainText()
        assert "CONNECTED (action 4)" in text and '"connectionDetails"' in text
        key = json.loads(connected_frame.payload.raw)["connectionDetails"]["connectionKey"]  # type: ignore[union-attr]
        assert key in text
        ctx.update_settings(mask_secrets=True)
        assert key not in live.details.toPlainText()
        token = entries(live, "token_obtained", alice)[0]
        live.details.show_entry(token)
        assert isinstance(token.payload, TokenObtained)
        assert token.payload.token not in live.details.toPlainText()


async def test_channel_panel_shows_stamped_client_ids_and_denials(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        anon = add(live, "Anonymous")
        alice = add(live, "Alice")
        await connected(live, anon)
        await connected(live, alice)
        live.panel.select_row(live.connections.row_of(alice))
        live.channel.attach.click()
        await wait_until(lambda: "attach chat: done" in live.channel.result.text().lower())
        live.channel.publish.click()
        await wait_until(lambda: live.messages.rowCount() > 0)
        assert "alice: greeting hello" in live.messages.index(0, 0).data()
        live.channel.as_client_id.setText("mallory")
        live.channel.publish.click()
        await wait_until(lambda: "40012" in live.channel.result.text())
        live.panel.select_row(live.connections.row_of(anon))
        live.channel.enter.click()
        await wait_until(lambda: "91000" in live.channel.result.text())


async def test_authorize_with_a_narrower_capability_then_publish_is_denied(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice")
        await connected(live, alice)
        live.panel.authorize.click()
        assert live.authorize_dialog.isVisible()  # open(), not exec(): we got here
        live.authorize_dialog.capability.setPlainText('{"chat":["subscribe"]}')
        live.authorize_dialog._on_buttons_accepted()
        await wait_until(lambda: reauthorised(live, alice))
        live.channel.publish.click()
        await wait_until(lambda: "40160" in live.channel.result.text())


async def test_revoke_by_client_id_disconnects_with_40141(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice")
        await connected(live, alice)
        live.panel.revoke.click()
        await wait_until(lambda: "revoked" in live.panel.status.text())
        await wait_until(lambda: any(e.code == 40141 for e in live.log_model.entries()))


async def test_export_ndjson_and_report_are_redacted(ctx: AppContext, tmp_path: Path) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice")
        await connected(live, alice)
        live.panel.export_ndjson.click()
        dialog = live.findChild(QFileDialog)
        assert dialog is not None and dialog.isVisible()  # open(), not exec(): we got here
        dialog.reject()
        ndjson, report = tmp_path / "s.ndjson", tmp_path / "s.md"
        live.export_to("ndjson", str(ndjson))
        await wait_until(lambda: "written" in live.panel.status.text())
        live.export_to("markdown", str(report))
        await wait_until(lambda: "report of" in live.panel.status.text())
        lines = ndjson.read_text().splitlines()
        assert len(lines) == live.log_model.rowCount() == live.manager.events.stats().emitted
        exported = [json.loads(line) for line in lines]
        assert [e["seq"] for e in exported] == [e.seq for e in live.log_model.entries()]
        first_in = next(e for e in exported if e["kind"] == "frame_received")
        assert first_in["message"]["action"] == 4  # frames are decoded again for export
        token = entries(live, "token_obtained", alice)[0].payload
        assert isinstance(token, TokenObtained)
        assert token.token not in ndjson.read_text()
        text = report.read_text()
        assert "Alice" in text and token.token not in text


async def test_without_a_sandbox_the_error_is_inline(ctx: AppContext) -> None:
    tab = LiveTab(ctx)
    tab._on_panel_preset_chosen("Alice")
    tab.panel.connect_button.click()
    assert "No sandbox is running" in tab.panel.editor.error.text()
    assert len(tab.manager) == 0
    tab.shutdown()


async def test_editor_round_trips_a_spec(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, sandbox):
        live._on_panel_preset_chosen("Carol (authUrl)")
        spec = live.panel.editor.spec()
        assert spec.auth_mode == "auth_url" and spec.auth_url.startswith(sandbox.rest_url)
        assert dict(spec.auth_params)["clientId"] == "carol"
        live.panel.editor.auth_params.setPlainText("not a pair")
        live.panel.connect_button.click()
        assert "authParams line 1" in live.panel.editor.error.text()


async def test_connections_are_kept_in_settings_without_credentials(ctx: AppContext) -> None:
    tab = LiveTab(ctx)
    tab._on_panel_preset_chosen("Alice")
    tab._on_panel_preset_chosen("Custom connection")
    editor = tab.panel.editor
    editor.mode.setCurrentIndex(editor.mode.findData("token"))
    editor.token.setText("appid.a-secret-token-body")
    tab.shutdown()
    saved = ctx.settings.tab_state["live"]["connections"]
    assert [s["name"] for s in saved] == ["Alice", "Connection"]
    assert saved[1]["auth_mode"] == "token"
    assert "a-secret-token-body" not in json.dumps(saved)
    again = LiveTab(ctx)
    assert again.connections.names() == ["Alice", "Connection"]
    assert again.connections.spec(0).issuer_client_id == "alice"
    again.shutdown()


async def test_drop_network_resumes_and_remove_forgets(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice")
        await connected(live, alice)
        first_id = live.manager.get(alice).connection_id
        live.panel.drop.click()
        await wait_until(lambda: "disconnected" in states_of(live, alice))
        await connected(live, alice)
        assert live.manager.get(alice).connection_id == first_id  # resumed, same connection
        live.panel.remove.click()
        assert alice not in live.connections.names()
        await wait_until(lambda: alice not in live.manager)


async def test_a_token_sent_from_another_tab_becomes_a_connection(ctx: AppContext) -> None:
    tab = LiveTab(ctx)
    ctx.request_use_in_live(UseInLive("token", "appid.tokenbody", "From JWT tab"))
    assert tab.connections.names() == ["From JWT tab"]
    spec = tab.connections.spec(0)
    assert (spec.auth_mode, spec.token) == ("token", "appid.tokenbody")
    tab.shutdown()
