"""Copyable client snippets that point the official Ably SDKs at a sandbox (endpoint, port, tls).

``js_snippet`` and ``python_snippet`` return source text for ably-js (Node) and ably-python for
a REST base URL and a key; ``masked`` replaces the key secret for display (copying uses the
real text). No Qt here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tokenlab.core.keys import MASK

PY_PORT_PATCH = """\
# ably-python 3.1.4's realtime transport ignores `port` (ably/ably-python#567): this patch puts
# the port into the WebSocket URL. Not needed on port 80 or once upstream is fixed.
import asyncio, urllib.parse
import ably
from ably.transport import websockettransport as wst
from ably.transport.defaults import Defaults
from ably.http.httputils import HttpUtils

def _connect_with_port(self):
    scheme = "wss" if self.options.tls else "ws"
    query = urllib.parse.urlencode(self.params)
    url = f"{scheme}://{self.host}:{Defaults.get_port(self.options)}/?{query}"
    self.ws_connect_task = asyncio.create_task(self.ws_connect(url, HttpUtils.default_headers()))
    self.ws_connect_task.add_done_callback(self.on_ws_connect_done)

if ably.lib_version == "3.1.4":
    wst.WebSocketTransport.connect = _connect_with_port
"""


def host_port(rest_url: str) -> tuple[str, int, bool]:
    """(host, port, tls) of a REST base URL, e.g. ("127.0.0.1", 8081, False)."""
    parts = urlsplit(rest_url)
    tls = parts.scheme == "https"
    return parts.hostname or "127.0.0.1", parts.port or (443 if tls else 80), tls


def shown_key(key_text: str, masked: bool) -> str:
    name, sep, _secret = key_text.partition(":")
    return f"{name}:{MASK}" if masked and sep else key_text


def js_snippet(rest_url: str, key_text: str, *, masked: bool = False) -> str:
    host, port, tls = host_port(rest_url)
    key = shown_key(key_text, masked)
    # ably-js dials tlsPort when tls is on, port otherwise
    port_lines = f"tls: true,\n  tlsPort: {port}," if tls else f"port: {port},\n  tls: false,"
    return f"""\
// npm install ably    (ably-js 2.x, Node)
const Ably = require("ably");

const options = {{
  key: "{key}",
  endpoint: "{host}",
  {port_lines}
  disableConnectivityCheck: true,  // offline: no check against ably.com
}};
const realtime = new Ably.Realtime(options);
realtime.connection.on((change) => console.log(change.previous, "->", change.current));

const channel = realtime.channels.get("chat");
await channel.subscribe((msg) => console.log(msg.clientId, msg.name, msg.data));
await channel.publish("greeting", "hello from ably-js");
"""


def python_snippet(rest_url: str, key_text: str, *, masked: bool = False) -> str:
    host, port, tls = host_port(rest_url)
    key = shown_key(key_text, masked)
    patch = PY_PORT_PATCH if port != (443 if tls else 80) else ""
    return f"""\
# pip install ably==3.1.4
{patch}
import asyncio
from ably import AblyRealtime, AblyRest

OPTIONS = dict(endpoint="{host}", {"tls_port" if tls else "port"}={port}, tls={tls})


async def main():
    # REST refuses Basic auth without TLS (40103): sign TokenRequests locally instead.
    rest = AblyRest(key="{key}", use_token_auth=True, **OPTIONS)
    print(await rest.time())

    realtime = AblyRealtime(key="{key}", **OPTIONS)  # create inside a running loop
    await realtime.connection.once_async("connected")
    channel = realtime.channels.get("chat")
    await channel.subscribe(lambda msg: print(msg.client_id, msg.name, msg.data))
    await channel.publish("greeting", "hello from ably-python")
    await asyncio.sleep(1)
    await realtime.close()
    await rest.close()


asyncio.run(main())
"""
