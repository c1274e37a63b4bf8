"""Sandbox benchmark: prints figures measured in one run, and exits 1 if a target is missed.

1. WebSocket open -> CONNECTED rate of the sandbox (key auth, full CONNECTED) against a bare
   aiohttp WebSocket endpoint that sends one JSON message. Target: >= 0.5x the baseline.
2. A classroom: N (default 1,000) concurrent connections holding 10-s tokens that renew for
   60 s the way an SDK with an authCallback does (the server's AUTH lead is set to 3 s, since
   Ably's 30 s lead is longer than the token; on the server's AUTH: sign a TokenRequest,
   POST /keys/{keyName}/requestToken, send AUTH, wait for CONNECTED). The connections open
   spread over one token lifetime, as a room of people connecting does; the hold starts once
   all are connected. Targets: zero failed renewals, p99 reauth round trip (AUTH received ->
   CONNECTED received) <= 250 ms, server RSS <= 300 MB.
3. For information (no target): the same N opened as fast as possible, so that every
   renewal lands in the same lock-step burst.

Each server runs in its own subprocess (so its RSS can be measured and it gets its own core);
the clients run in this process. Everything is on 127.0.0.1 and bounded in time.

    python tests/bench/bench_sandbox.py [--clients 1000] [--hold 60] [--rate-conns 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil  # type: ignore[import-untyped]  # no stubs in the dev dependencies

from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenParams, create_token_request

TOKEN_TTL_MS = 10_000
RATE_TARGET, P99_TARGET_MS, RSS_TARGET_MB = 0.5, 250.0, 300.0

SANDBOX_SERVER = """
import asyncio, json, sys
from tokenlab.sandbox import Sandbox, SandboxConfig

async def main():
    # Ably's AUTH lead is 30 s, so a 10-s token would only ever see DISCONNECTED 40142; the
    # classroom renews in-band, as lessons configure it: AUTH 3 s before expiry.
    async with Sandbox(SandboxConfig(db_path=sys.argv[1], reauth_lead_ms=3_000)) as sb:
        print(json.dumps({"rest": sb.rest_url, "ws": sb.ws_url,
                          "key": sb.demo_keys["full"].full()}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""

BASELINE_SERVER = """
import asyncio, json, sys
from aiohttp import web

COMPRESS = sys.argv[1] == "compress"

async def ws_handler(request):
    ws = web.WebSocketResponse(compress=COMPRESS)
    await ws.prepare(request)
    await ws.send_str(json.dumps({"action": 4, "connectionId": "baseline"}))
    async for _ in ws:
        pass
    return ws

async def main():
    app = web.Application()
    app.router.add_get("/", ws_handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
    await site.start()
    port = runner.addresses[0][1]
    print(json.dumps({"ws": f"ws://127.0.0.1:{port}"}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()

asyncio.run(main())
"""


@dataclass
class Server:
    proc: asyncio.subprocess.Process
    info: dict[str, Any]

    @property
    def ps(self) -> psutil.Process:
        return psutil.Process(self.proc.pid)


@contextlib.asynccontextmanager
async def server(script: str, *args: str) -> AsyncIterator[Server]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 20)
        yield Server(proc, json.loads(line))
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


# -- 1. connect rate -----------------------------------------------------------------------------
async def connect_rate(url: str, total: int, concurrency: int) -> float:
    """Connections per second: open, receive the first message, close."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with gate, session.ws_connect(url) as ws:
                msg = await ws.receive(timeout=10)
                if msg.type != aiohttp.WSMsgType.TEXT or '"action":4' not in msg.data.replace(
                    " ", ""
                ):
                    raise RuntimeError(f"unexpected first message {msg!r:.200}")

        await asyncio.gather(*(one() for _ in range(min(100, total))))  # warm up
        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(total)))
        return total / (time.perf_counter() - start)


# -- 2. classroom --------------------------------------------------------------------------------
@dataclass
class Deadline:
    at: float  # loop time; moved once every client is connected


@dataclass
class Stats:
    connected: int = 0
    renewals: int = 0
    failures: list[str] = field(default_factory=list)
    rtts_ms: list[float] = field(default_factory=list)


class Client:
    def __init__(self, session: aiohttp.ClientSession, rest: str, ws: str, key: ApiKey) -> None:
        self.session, self.rest, self.ws_base, self.key = session, rest, ws, key

    async def token(self) -> str:
        request = create_token_request(self.key, TokenParams(ttl=TOKEN_TTL_MS))
        url = f"{self.rest}/keys/{self.key.name}/requestToken"
        async with self.session.post(url, json=request.to_dict()) as response:
            body = await response.json()
            if response.status != 200:
                raise RuntimeError(f"requestToken {response.status}: {body}")
            return str(body["token"])

    async def run(
        self, stats: Stats, gate: asyncio.Semaphore, stop: Deadline, delay: float
    ) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(delay)
        async with gate:
            tok = await self.token()
            ws = await self.session.ws_connect(f"{self.ws_base}/?accessToken={tok}&v=6")
            first = json.loads((await ws.receive(timeout=10)).data)
            if first.get("action") != 4:
                raise RuntimeError(f"connect failed: {first}")
            stats.connected += 1
        try:
            await self._hold(ws, stats, stop, loop)
        finally:
            await ws.close()

    async def _hold(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        stats: Stats,
        stop: Deadline,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        while (left := stop.at - loop.time()) > 0:
            try:
                msg = await ws.receive(timeout=min(left, 1.0))
            except TimeoutError:
                continue
            if msg.type != aiohttp.WSMsgType.TEXT:
                stats.failures.append(f"socket closed: {msg.type}")
                return
            frame = json.loads(msg.data)
            if frame["action"] == 17:
                await self._renew(ws, stats, loop)
            elif frame["action"] in (6, 9):
                stats.failures.append(f"action {frame['action']}: {frame.get('error')}")
                return

    async def _renew(
        self, ws: aiohttp.ClientWebSocketResponse, stats: Stats, loop: asyncio.AbstractEventLoop
    ) -> None:
        start = loop.time()
        try:
            await ws.send_json({"action": 17, "auth": {"accessToken": await self.token()}})
            while True:
                frame = json.loads((await ws.receive(timeout=5)).data)
                if frame["action"] == 4:
                    break
                if frame["action"] in (6, 9):
                    raise RuntimeError(f"reauth answered with {frame}")
        except Exception as exc:
            stats.failures.append(f"renewal failed: {exc!r:.200}")
            return
        stats.renewals += 1
        stats.rtts_ms.append((loop.time() - start) * 1000)


async def classroom(
    srv: Server, clients: int, hold_s: float, ramp_s: float
) -> tuple[Stats, float, float]:
    """Open ``clients`` connections spread evenly over ``ramp_s`` (0: as fast as possible),
    then let them renew for ``hold_s``. Returns stats, peak server RSS (MB), server CPU s."""
    key = ApiKey.parse(srv.info["key"])
    stats, peak_rss, ps = Stats(), 0.0, srv.ps
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        loop = asyncio.get_running_loop()
        stop = Deadline(loop.time() + 120)  # the ramp must finish within 2 minutes
        gate = asyncio.Semaphore(50)
        tasks = [
            asyncio.create_task(
                Client(session, srv.info["rest"], srv.info["ws"], key).run(
                    stats, gate, stop, i * ramp_s / clients
                )
            )
            for i in range(clients)
        ]
        ramp_start = loop.time()
        while stats.connected < clients and not any(t.done() for t in tasks):
            if loop.time() > stop.at:
                break
            await asyncio.sleep(0.1)
        took = loop.time() - ramp_start
        stop.at = loop.time() + hold_s  # the hold starts once everyone is connected
        print(f"   ramp-up: {stats.connected} connected in {took:.1f} s", flush=True)
        while loop.time() < stop.at + 2 and not all(t.done() for t in tasks):
            peak_rss = max(peak_rss, ps.memory_info().rss / 2**20)
            await asyncio.sleep(1)
        results = await asyncio.gather(*tasks, return_exceptions=True)
    stats.failures += [f"client crashed: {r!r:.200}" for r in results if isinstance(r, Exception)]
    cpu = ps.cpu_times()
    return stats, peak_rss, cpu.user + cpu.system


def raise_fd_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("inf")


def report_classroom(title: str, stats: Stats, rss: float, cpu_s: float) -> bool:
    rtts = stats.rtts_ms
    p50, p99 = percentile(rtts, 0.5), percentile(rtts, 0.99)
    worst = max(rtts) if rtts else float("inf")
    print(title)
    print(
        f"   connected: {stats.connected}; renewals: {stats.renewals}; "
        f"failed: {len(stats.failures)}  {verdict(not stats.failures)}"
    )
    for failure in stats.failures[:5]:
        print(f"     {failure}")
    print(
        f"   reauth round trip: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms "
        f"(target p99 <= {P99_TARGET_MS:.0f})  {verdict(p99 <= P99_TARGET_MS)}"
    )
    print(
        f"   server peak RSS: {rss:.0f} MB (target <= {RSS_TARGET_MB:.0f})  "
        f"{verdict(rss <= RSS_TARGET_MB)}; server CPU time {cpu_s:.1f} s"
    )
    return not stats.failures and p99 <= P99_TARGET_MS and rss <= RSS_TARGET_MB


async def rates(args: argparse.Namespace, db: str) -> bool:
    baselines = {}
    for variant in ("plain", "compress"):
        async with server(BASELINE_SERVER, variant) as base:
            baselines[variant] = await connect_rate(base.info["ws"] + "/", args.rate_conns, 25)
    async with server(SANDBOX_SERVER, db) as srv:
        url = f"{srv.info['ws']}/?key={srv.info['key']}&v=6&format=json"
        rate = await connect_rate(url, args.rate_conns, 25)
    best = max(baselines.values())
    ratio = rate / best
    print(f"\n1. open -> CONNECTED ({args.rate_conns} connections, 25 at a time)")
    print(f"   bare aiohttp, compression off:      {baselines['plain']:7.0f} conn/s")
    print(f"   bare aiohttp, defaults (deflate):   {baselines['compress']:7.0f} conn/s")
    print(f"   sandbox (key auth, full CONNECTED): {rate:7.0f} conn/s")
    print(
        f"   ratio to the faster baseline {ratio:.2f}x (target >= {RATE_TARGET}x)  "
        f"{verdict(ratio >= RATE_TARGET)}"
    )
    return ratio >= RATE_TARGET


async def main(args: argparse.Namespace) -> int:
    fds = raise_fd_limit(4 * args.clients + 1024)
    print(f"open-file limit: {fds}; cores: {psutil.cpu_count()}; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="tokenlab-bench-") as tmp:
        db = str(Path(tmp) / "bench.sqlite3")
        rate_ok = await rates(args, db)
        ramp = TOKEN_TTL_MS / 1000
        print(f"\n2. {args.clients} connections opened over {ramp:g} s (one token lifetime)")
        async with server(SANDBOX_SERVER, db) as srv:
            stats, rss, cpu_s = await classroom(srv, args.clients, args.hold, ramp)
        title = f"   {TOKEN_TTL_MS // 1000}-s tokens renewed for {args.hold:g} s:"
        ok = report_classroom(title, stats, rss, cpu_s) and stats.connected == args.clients
        if args.burst_hold > 0:
            print(f"\n3. (informational) the same {args.clients} opened all at once")
            async with server(SANDBOX_SERVER, db) as srv:
                stats, rss, cpu_s = await classroom(srv, args.clients, args.burst_hold, 0)
            title = f"   renewals in lock-step bursts for {args.burst_hold:g} s:"
            report_classroom(title, stats, rss, cpu_s)
    overall = rate_ok and ok
    print(f"\noverall (targets of 1 and 2): {verdict(overall)}")
    return 0 if overall else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--hold", type=float, default=60.0, help="seconds of renewals")
    parser.add_argument("--rate-conns", type=int, default=2000)
    parser.add_argument("--burst-hold", type=float, default=30.0, help="0 skips run 3")
    sys.exit(asyncio.run(asyncio.wait_for(main(parser.parse_args()), 600)))
