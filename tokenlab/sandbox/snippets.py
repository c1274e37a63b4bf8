"""Client snippets that point the official Ably SDKs at a sandbox, ready to run as pasted.

Two kinds of credentials:

- a key (``key_snippets``): for the instructor's own machine (``tokenlab sandbox``, the GUI);
  ``masked`` replaces the key secret for display (copying uses the real text);
- an ``authUrl`` (``auth_url_snippets``): for classroom attendees, who get tokens from the
  sandbox's demo auth server and never a key secret.

Languages: ably-js as an ES module for Node (``node join.mjs``: ``import``, top-level ``await``),
ably-js in a browser page, ably-python (with the realtime port workaround ably-python 3.1.4
needs on any port but 80, ably/ably-python#567) and curl. Pure text; no Qt, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tokenlab.core.keys import MASK

PY_PORT_PATCH = """\
# ably-python 3.1.4's realtime transport ignores `port` (ably/ably-python#567): this patch
# puts the port into the WebSocket URL. Not needed on port 80 or once upstream is fixed.
import urllib.parse
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

ABLY_JS_CDN = "https://cdn.ably.com/lib/ably.min-2.js"


@dataclass(frozen=True)
class Endpoint:
    """Where a client reaches the sandbox: host (no brackets), port, TLS."""

    host: str
    port: int
    tls: bool = False

    @classmethod
    def from_url(cls, rest_url: str) -> Endpoint:
        parts = urlsplit(rest_url)
        tls = parts.scheme == "https"
        return cls(parts.hostname or "127.0.0.1", parts.port or (443 if tls else 80), tls)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def js_options(self) -> str:
        port = f"tls: true, tlsPort: {self.port}" if self.tls else f"port: {self.port}, tls: false"
        return (
            f'endpoint: "{self.host}",\n  {port},\n'
            "  disableConnectivityCheck: true,  // offline: no check against ably.com"
        )

    def py_options(self) -> str:
        port = f"tls=True, tls_port={self.port}" if self.tls else f"port={self.port}, tls=False"
        return f'endpoint="{self.host}", {port}'

    @property
    def needs_py_patch(self) -> bool:
        return self.port != (443 if self.tls else 80)


def host_port(rest_url: str) -> tuple[str, int, bool]:
    """(host, port, tls) of a REST base URL, e.g. ("127.0.0.1", 8081, False)."""
    ep = Endpoint.from_url(rest_url)
    return ep.host, ep.port, ep.tls


def shown_key(key_text: str, masked: bool) -> str:
    name, sep, _secret = key_text.partition(":")
    return f"{name}:{MASK}" if masked and sep else key_text


# -- bodies shared by both credential kinds ------------------------------------------------------

_JS_BODY = """\
realtime.connection.on((change) => {{
  const why = change.reason ? ` (${{change.reason.code}} ${{change.reason.message}})` : "";
  console.log(change.previous, "->", change.current + why);
}});
await realtime.connection.once("connected");
console.log("connected as", realtime.auth.clientId);

const channel = realtime.channels.get("{channel}");
await channel.subscribe((msg) => console.log(msg.clientId, msg.name, msg.data));
await channel.publish("greeting", "hello from ably-js");
// Stays connected: Ctrl-C to stop.
"""

_PY_BODY = """\
async def main():
    realtime = AblyRealtime({credential}, {options})  # create inside a running loop
    realtime.connection.on(lambda c: print(c.previous, "->", c.current, c.reason or ""))
    await realtime.connection.once_async("connected")
    print("connected as", realtime.auth.client_id)
    channel = realtime.channels.get("{channel}")
    await channel.subscribe(lambda msg: print(msg.client_id, msg.name, msg.data))
    await channel.publish("greeting", "hello from ably-python")
    try:
        await asyncio.Event().wait()  # stays connected: Ctrl-C to stop
    finally:
        await realtime.close()


try:
    asyncio.run(main())
except KeyboardInterrupt:
    pass
"""


def _py(ep: Endpoint, credential: str, channel: str) -> str:
    patch = PY_PORT_PATCH + "\n" if ep.needs_py_patch else ""
    body = _PY_BODY.format(credential=credential, options=ep.py_options(), channel=channel)
    return (
        "# pip install ably==3.1.4   then: python join.py\n"
        "import asyncio\n\nimport ably\nfrom ably import AblyRealtime\n\n"
        f"{patch}\n{body}"
    )


# -- key-based (instructor) -----------------------------------------------------------------------


def js_key_snippet(ep: Endpoint, key: str, channel: str = "chat") -> str:
    return (
        "// npm install ably   then save as sandbox.mjs and run: node sandbox.mjs\n"
        'import Ably from "ably";\n\n'
        f'const realtime = new Ably.Realtime({{\n  key: "{key}",\n  {ep.js_options()}\n}});\n'
        + _JS_BODY.format(channel=channel)
    )


def python_key_snippet(ep: Endpoint, key: str, channel: str = "chat") -> str:
    return _py(ep, f'key="{key}"', channel)


# -- authUrl-based (attendees) --------------------------------------------------------------------


def js_node_snippet(ep: Endpoint, auth_url: str, channel: str = "chat") -> str:
    return (
        "// npm install ably   then save as join.mjs and run: node join.mjs\n"
        'import Ably from "ably";\n\n'
        f'const realtime = new Ably.Realtime({{\n  authUrl: "{auth_url}",\n'
        f"  {ep.js_options()}\n}});\n" + _JS_BODY.format(channel=channel)
    )


def js_browser_snippet(ep: Endpoint, auth_url: str, channel: str = "chat") -> str:
    return f"""\
<!doctype html>
<!-- Save as join.html and open it. Needs the ably-js browser build: from the CDN below
     (internet), or `npm install ably` and a bundler importing "ably". -->
<meta charset="utf-8"><title>Ably sandbox</title>
<pre id="log"></pre>
<script src="{ABLY_JS_CDN}"></script>
<script type="module">
  // a module script, for top-level await; the script above defines the global Ably
  const log = (...a) => (document.getElementById("log").textContent += a.join(" ") + "\\n");
  const realtime = new Ably.Realtime({{
    authUrl: "{auth_url}",
    {ep.js_options().replace(chr(10), chr(10) + "  ")}
  }});
  realtime.connection.on((c) => log(c.previous, "->", c.current, c.reason ? c.reason.code : ""));
  await realtime.connection.once("connected");
  log("connected as", realtime.auth.clientId);
  const channel = realtime.channels.get("{channel}");
  await channel.subscribe((msg) => log(msg.clientId, msg.name, msg.data));
  await channel.publish("greeting", "hello from the browser");
</script>
"""


def python_auth_url_snippet(ep: Endpoint, auth_url: str, channel: str = "chat") -> str:
    return _py(ep, f'auth_url="{auth_url}"', channel)


def curl_snippet(ep: Endpoint, auth_url: str, channel: str = "chat") -> str:
    return f"""\
# A token for you from the demo auth server, then publish and read history with it:
TOKEN=$(curl -s "{auth_url}")
curl -s -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
  -d '{{"name":"greeting","data":"hello from curl"}}' {ep.url}/channels/{channel}/messages
curl -s -H "Authorization: Bearer $TOKEN" {ep.url}/channels/{channel}/messages
"""


def attendee_snippets(ep: Endpoint, auth_url: str, channel: str = "chat") -> dict[str, str]:
    """Every attendee snippet by language: node, browser, python, curl."""
    return {
        "node": js_node_snippet(ep, auth_url, channel),
        "browser": js_browser_snippet(ep, auth_url, channel),
        "python": python_auth_url_snippet(ep, auth_url, channel),
        "curl": curl_snippet(ep, auth_url, channel),
    }
