"""Mask secrets on the Live tab while connections run: the event log (rows and tooltips), the
details pane (frames, tokens and token diffs), the connection list and editor and the channel
panel show no key secret, signature, MAC or token; nor does what the app says after copying a
secret (the clipboard gets the real value, the screen only a note)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel

from tests.gui.helpers import settle, wait_until
from tests.gui.live_helpers import entries, kinds, live_tab, running_sandbox
from tests.gui.test_live_tab import add, connected
from tests.gui.visible import visible_texts
from tokenlab.gui.context import AppContext
from tokenlab.gui.live.tab import LiveTab
from tokenlab.gui.main_window import MainWindow, aclose_pages
from tokenlab.realtime.events import TokenObtained
from tokenlab.sandbox import Sandbox


def live_secrets(live: LiveTab, sandbox: Sandbox) -> dict[str, str]:
    found = {f"key secret {label}": key.secret for label, key in sandbox.demo_keys.items()}
    for entry in entries(live, "token_obtained"):
        assert isinstance(entry.payload, TokenObtained)
        token = entry.payload.token
        found[f"token of {entry.connection} #{entry.seq}"] = token
        if entry.payload.token_request:
            found[f"MAC of {entry.connection} #{entry.seq}"] = entry.payload.token_request["mac"]
        if token.count(".") == 2:
            found[f"signature of {entry.connection} #{entry.seq}"] = token.rsplit(".", 1)[1]
    return found


def leaks_in(root: Any, secrets: dict[str, str], where: str) -> list[str]:
    return [
        f"{where} {name}: {label}"
        for name, text in visible_texts(root)
        for label, secret in secrets.items()
        if secret in text
    ]


async def test_live_tab_with_running_connections_shows_no_secret(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, sandbox):
        alice = add(live, "Alice", ttl_s=3)  # renews: a token diff in the details
        names = [alice, add(live, "Bob"), add(live, "Basic"), add(live, "Reader")]
        for name in names:
            await connected(live, name)
        live.panel.select_row(live.connections.row_of(alice))
        live.channel.attach.click()
        await wait_until(lambda: "attach chat: done" in live.channel.result.text().lower())
        live.channel.publish.click()
        await wait_until(lambda: live.messages.rowCount() > 0)
        await wait_until(lambda: "renewal_succeeded" in kinds(live, alice))
        ctx.update_settings(mask_secrets=True)
        secrets = live_secrets(live, sandbox)
        assert any(e.previous_token is not None for e in entries(live, "token_obtained"))
        assert not await every_leak(live, names, secrets)
        ctx.update_settings(mask_secrets=False)  # the test can fail: unmasked, tokens show
        assert await every_leak(live, names, secrets)


async def every_leak(live: LiveTab, names: list[str], secrets: dict[str, str]) -> list[str]:
    leaks = leaks_in(live, secrets, "tab")
    live.panel.tabs.setCurrentIndex(1)  # the channel panel's page
    assert live.channel.isVisible()
    leaks += leaks_in(live, secrets, "channel panel")
    live.panel.tabs.setCurrentIndex(0)
    for lane in live.timeline.lanes.lanes:  # what the timeline's tooltips say
        said = [lane.name, *(m.label for m in lane.markers), *(t.label for t in lane.tokens)]
        leaks += [f"timeline {lane.name}: {label}" for text in said
                  for label, secret in secrets.items() if secret in text]  # fmt: skip
    for name in names:  # the connection editor shows each connection's settings
        live.panel.select_row(live.connections.row_of(name))
        await settle(0.02)
        leaks += leaks_in(live, secrets, f"editor {name}")
    table = live.log.table
    for row in range(table.model().rowCount()):  # every event's details, diffs included
        table.selectionModel().setCurrentIndex(
            table.model().index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        leaks += leaks_in(live.details, secrets, f"details row {row}")
    return list(dict.fromkeys(leaks))


async def test_copying_a_secret_never_shows_it(ctx: AppContext, qtbot: Any) -> None:
    from PySide6.QtGui import QGuiApplication

    async with running_sandbox(ctx) as sandbox:
        ctx.update_settings(mask_secrets=True)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        window.show_tab("sandbox")
        tab: Any = window.page("sandbox")
        await wait_until(lambda: tab.keys.rowCount() > 0)
        secrets = {label: key.secret for label, key in sandbox.demo_keys.items()}
        copied: list[str] = []
        for row in range(tab.keys.rowCount()):
            tab.keys_view.selectRow(row)
            tab._on_copy_key_clicked()
            copied.append(QGuiApplication.clipboard().text())
            await settle(0.02)
            leaks = leaks_in(window, secrets, f"after copying key row {row}")
            assert not leaks, "\n".join(leaks)
        assert set(secrets.values()) <= {c.rsplit(":", 1)[-1] for c in copied}
        tab.snippets.copy.click()  # the connection snippet: copied with the real key
        assert any(secret in QGuiApplication.clipboard().text() for secret in secrets.values())
        await settle(0.02)
        leaks = leaks_in(window, secrets, "after copying a snippet")
        assert not leaks, "\n".join(leaks)
        for page in window.pages.values():
            page.shutdown()
        await aclose_pages(window.pages.values())
        await ctx.runner.wait_idle()
        await ctx.aclose()
