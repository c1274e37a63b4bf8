"""``tokenlab --selftest`` and the ``--screenshot DIR`` debug option.

The self-test drives the real window on the real loop: it opens every tab, decodes a sample
token in Inspect, then connects one live client (``tokenlab.realtime``) to the embedded sandbox
with a short-lived token and waits for one renewal. Any exception, or any error the
ErrorReporter saw, makes the exit code non-zero. The whole run is bounded by ``TIME_LIMIT_S``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from tokenlab.core import samples
from tokenlab.core.report import TokenKind
from tokenlab.gui.context import AppContext
from tokenlab.gui.main_window import MainWindow

log = logging.getLogger(__name__)
TIME_LIMIT_S = 50.0
RENEWAL_TTL_MS = 4_000
SETTLE_S = 0.05


def _say(text: str) -> None:
    print(f"selftest: {text}", flush=True)


async def run_selftest(window: MainWindow, ctx: AppContext) -> int:
    started = time.monotonic()
    try:
        async with asyncio.timeout(TIME_LIMIT_S):
            await _open_every_tab(window)
            await _decode_sample(window, ctx)
            await _live_renewal(ctx)
    except Exception as exc:
        log.exception("selftest failed")
        _say(f"FAILED: {type(exc).__name__}: {exc}")
        return 1
    if ctx.reporter.reports:
        _say(f"FAILED: {len(ctx.reporter.reports)} unexpected error(s) were reported")
        return 1
    _say(f"ok in {time.monotonic() - started:.1f} s")
    return 0


async def _open_every_tab(window: MainWindow) -> None:
    if not window.tab_ids:
        raise RuntimeError("the window has no tabs")
    for tab_id in window.tab_ids:
        window.show_tab(tab_id)
        await asyncio.sleep(SETTLE_S)
        page = window.page(tab_id)
        if window.current_page() is not page or page is None or not page.isVisible():
            raise RuntimeError(f"the {tab_id} tab did not open")
    _say(f"opened tabs: {', '.join(window.tab_ids)}")


async def _decode_sample(window: MainWindow, ctx: AppContext) -> None:
    page = window.page("inspect")
    if page is None:
        raise RuntimeError("there is no Inspect tab")
    ctx.send_to_inspect(samples.sample_text("ably-jwt", now_ms=ctx.now_ms()))
    await asyncio.sleep(SETTLE_S)
    report = getattr(page, "report", None)
    if report is None or report.kind != TokenKind.ABLY_JWT or report.has_errors:
        raise RuntimeError(f"the sample Ably JWT did not decode cleanly: {report!r:.200}")
    if window.current_page() is not page:
        raise RuntimeError("sending a token to Inspect did not show the Inspect tab")
    _say(f"decoded: {report.summary}")


async def _live_renewal(ctx: AppContext) -> None:
    sandbox = ctx.sandbox
    if sandbox is None:
        raise RuntimeError("the live check needs the embedded sandbox (run without --no-sandbox)")
    from tokenlab.realtime import ClientOptions, ConnectionManager, Endpoint, IssuerAuth

    key = sandbox.demo_keys["full"]
    options = ClientOptions(
        endpoint=Endpoint.sandbox(sandbox.ws_url, sandbox.rest_url),
        auth=IssuerAuth(key=key, client_id="selftest", ttl_ms=RENEWAL_TTL_MS),
        now_ms=ctx.now_ms,
    )
    async with ConnectionManager(now_ms=ctx.now_ms) as manager:
        events = manager.events.subscribe()
        connection = manager.add("selftest", options)
        await connection.wait_connected(timeout_ms=10_000)
        _say(f"live: connected as {connection.client_id!r}")
        while True:
            event = await events.get(timeout=RENEWAL_TTL_MS / 1000 * 4)
            if event.kind == "renewal_failed":
                raise RuntimeError(f"token renewal failed: {event.body}")
            if event.kind == "renewal_succeeded":
                break
        _say("live: token renewed")


async def take_screenshots(window: MainWindow, ctx: AppContext, folder: Path) -> list[Path]:
    """Grab every tab in each of its screenshot states into ``folder`` (PNG)."""
    folder.mkdir(parents=True, exist_ok=True)
    window.resize(1280, 800)
    saved: list[Path] = []
    await asyncio.sleep(0.3)
    for tab_id in window.tab_ids:
        window.show_tab(tab_id)
        page = window.page(tab_id)
        assert page is not None
        for state, prepare in page.screenshot_states():
            prepare()
            await asyncio.sleep(0.3)
            name = f"{tab_id}-{state}.png" if state else f"{tab_id}.png"
            path = folder / name
            window.grab().save(str(path))
            saved.append(path)
            _say(f"screenshot {path}")
    saved += await _presenter_screenshots(window, folder)
    return saved


async def _presenter_screenshots(window: MainWindow, folder: Path) -> list[Path]:
    """The same screens with the presenter toggles on (larger font, secrets masked)."""
    window.large_font_action.setChecked(True)
    window.mask_action.setChecked(True)
    saved = []
    for tab_id, wanted in (("inspect", "claims"), ("token_request", ""), ("jwt", "")):
        page = window.page(tab_id)
        if page is None:
            continue
        window.show_tab(tab_id)
        for state, prepare in page.screenshot_states():
            if state == wanted:
                prepare()
        await asyncio.sleep(0.3)
        path = folder / f"presenter-{tab_id}.png"
        window.grab().save(str(path))
        saved.append(path)
    window.large_font_action.setChecked(False)
    window.mask_action.setChecked(False)
    return saved
