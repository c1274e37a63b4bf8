"""The embedded Ably-compatible sandbox server (REST + WebSocket on one port, SQLite store).

Pure Python (asyncio + aiohttp), no Qt. See ``server`` for the embedding and admin API.
"""

from tokenlab.sandbox.config import SandboxConfig, SandboxEvent, Settings
from tokenlab.sandbox.server import Sandbox

__all__ = ["Sandbox", "SandboxConfig", "SandboxEvent", "Settings"]
