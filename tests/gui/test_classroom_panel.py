"""The Sandbox tab's classroom switch: join URL with a QR code, the masked instructor credential,
a live roster of two attendees, and closing (127.0.0.2 stands for the room's network)."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest
import shiboken6
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.modeltest import ModelTester

from tests.gui.helpers import wait_until
from tests.gui.live_helpers import running_sandbox
from tokenlab.gui.context import AppContext
from tokenlab.gui.tabs.sandbox_tab import SandboxTab

ROOM = "127.0.0.2"


def column(tab: SandboxTab, index: int) -> list[str]:
    return [tab.roster.index(r, index).data() for r in range(tab.roster.rowCount())]


@pytest.fixture
def keep_alive() -> Iterator[list[object]]:
    """Objects that must outlive qtmodeltester's teardown (it disconnects from the models)."""
    objects: list[object] = []
    yield objects
    objects.clear()


async def test_switch_opens_the_room_and_shows_the_roster(
    keep_alive: list[object], qtmodeltester: ModelTester, ctx: AppContext
) -> None:
    async with running_sandbox(ctx) as sandbox:
        tab = SandboxTab(ctx)
        keep_alive.append(tab)
        tab.classroom_hosts = [ROOM]
        tab.classroom.switch.setChecked(True)
        await wait_until(lambda: sandbox.classroom.open and tab.classroom.join_url.text())
        url = f"http://{ROOM}:{sandbox.port}/"
        assert tab.classroom.join_url.text() == url
        assert not tab.classroom.qr.pixmap().isNull()
        assert url in tab.status.text()  # the status line names the attendee address too
        credential = sandbox.classroom.instructor_credential
        assert tab.classroom.credential.text() == credential
        ctx.update_settings(mask_secrets=True)
        assert credential not in tab.classroom.credential.text()
        assert tab.classroom.credential.text().endswith(credential[-4:])
        copy = next(b for b in tab.classroom.findChildren(QPushButton)
                    if b.toolTip() == "Copy the credential")  # fmt: skip
        copy.click()
        assert QGuiApplication.clipboard().text() == credential  # Copy copies the real one
        async with aiohttp.ClientSession() as http:
            for name in ("Ada", "Grace"):
                async with http.post(url + "join", data={"name": name}) as r:
                    assert r.status == 200
        tab.refresh()
        qtmodeltester.check(tab.roster, force_py=True)
        assert column(tab, 0) == ["Ada", "Grace"] and column(tab, 1) == ["ada", "grace"]
        assert column(tab, 2) == ["joined, not connected"] * 2
        tab.classroom.switch.setChecked(False)
        await wait_until(lambda: not sandbox.classroom.open)
        await wait_until(lambda: not tab.classroom.details.isVisibleTo(tab))
        assert "closed" in tab.classroom.result.text()
        QGuiApplication.clipboard().clear()
        tab.shutdown()


async def test_switch_reports_a_bad_address(ctx: AppContext) -> None:
    async with running_sandbox(ctx) as sandbox:
        tab = SandboxTab(ctx)
        tab.classroom_hosts = ["0.0.0.0"]
        tab.classroom.switch.setChecked(True)
        await wait_until(lambda: "cannot connect" in tab.classroom.result.text())
        assert not tab.classroom.switch.isChecked() and not sandbox.classroom.open
        tab.shutdown()
        shiboken6.delete(tab)  # now, not whenever the garbage collector gets to it
