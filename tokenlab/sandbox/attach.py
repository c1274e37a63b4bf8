"""ATTACH and DETACH on a realtime connection: modes, channel params, rewind and resume.

- Modes (RTL4l, RTL4m): the modes requested in the ATTACH ``flags`` or the ``modes`` param,
  intersected with what the capability allows; without a request, Ably's defaults (presence,
  publish, subscribe, presence_subscribe, annotation_publish). ATTACHED carries the granted modes
  and ``ops`` enforces them on publish and presence.
- Params (RTL4k, RTL4k1): only the params the sandbox understands are echoed in ATTACHED.
- ``rewind`` (a count or a time such as ``10s``): the recent messages follow ATTACHED, which
  then has HAS_BACKLOG; not on a resumed attach or one flagged ATTACH_RESUME.
- ``channelSerial`` (RTL4c1): a resumed attach gets RESUMED and what it missed (``channels``).
- Names: empty, too long, or starting with ``:`` or a ``[`` qualifier are a channel ERROR 40010
  while the connection stays up (``[meta]`` channels and ``[?param]`` qualifiers are not
  supported).
"""

from __future__ import annotations

from typing import Any

from tokenlab.core.errors import AblyError
from tokenlab.core.wire import CHANNEL_MODE_MASK, DEFAULT_CHANNEL_MODES, Action, Flag, Frame
from tokenlab.sandbox.channels import Channel
from tokenlab.sandbox.context import Context
from tokenlab.sandbox.history import parse_rewind
from tokenlab.sandbox.link import Link
from tokenlab.sandbox.ops import allowed_modes, channel_error, channel_name, denied, may_attach
from tokenlab.sandbox.protocol import KNOWN_CHANNEL_PARAMS, MODE_NAMES
from tokenlab.sandbox.session import Session


def _params(frame: Frame) -> dict[str, str]:
    raw = frame.get("params")
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items() if str(k) in KNOWN_CHANNEL_PARAMS}


def requested_modes(frame: Frame, params: dict[str, str]) -> int:
    """Modes asked for in ``flags`` or the ``modes`` param (0: none asked, use the defaults)."""
    flags = frame.get("flags")
    requested = (
        flags & CHANNEL_MODE_MASK if isinstance(flags, int) and not isinstance(flags, bool) else 0
    )
    for word in params.get("modes", "").split(","):
        word = word.strip().lower()
        if word:
            if word not in MODE_NAMES:
                raise AblyError(40000, f"Unknown channel mode {word!r:.40} in the modes param.")
            requested |= MODE_NAMES[word]
    return requested


def _rewind(ctx: Context, channel: Channel, frame: Frame, params: dict[str, str]) -> list[Any]:
    flags = frame.get("flags")
    if "rewind" not in params or (isinstance(flags, int) and flags & Flag.ATTACH_RESUME):
        return []
    count, since = parse_rewind(params["rewind"], ctx.now_ms())
    if count is not None:
        return channel.history.latest(count)
    return channel.history.since(since if since is not None else 0)


def on_attach(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    try:
        name = channel_name(frame)
        if name.startswith((":", "[")):
            raise AblyError(
                40010,
                f"Invalid channel name {name!r:.80}: names may not start with ':' and the "
                "sandbox does not support '[meta]' channels or '[?param]' qualifiers.",
                status=400,
            )
        params = _params(frame)
        requested = requested_modes(frame, params)
    except AblyError as exc:
        link.send(
            {
                "action": int(Action.ERROR),
                "channel": frame.get("channel"),
                "error": exc.error_info(),
            }
        )
        return
    if not may_attach(session, name):
        session.attached.pop(name, None)
        ctx.hub.detach(session.app_id, name, session.connection_id)
        channel_error(ctx, session, link, name, denied(name, "Attach"))
        return
    allowed = allowed_modes(session, name)
    granted = (requested or DEFAULT_CHANNEL_MODES) & allowed
    channel = ctx.hub.attach(session.app_id, name, session, granted)
    try:
        resume_from = channel.resume_point(frame.get("channelSerial"))  # RTL4c1
        backlog = [] if resume_from is not None else _rewind(ctx, channel, frame, params)
    except AblyError as exc:
        channel_error(ctx, session, link, name, exc)
        ctx.hub.detach(session.app_id, name, session.connection_id)
        return
    session.attached[name] = granted
    sync = None
    if granted & Flag.PRESENCE_SUBSCRIBE and session.can(name, "subscribe"):
        sync = ctx.hub.sync_frame(channel)
    backlog = backlog if granted & Flag.SUBSCRIBE and session.can(name, "subscribe") else []
    state = (Flag.HAS_PRESENCE if sync else 0) | (Flag.RESUMED if resume_from is not None else 0)
    reply: Frame = {
        "action": int(Action.ATTACHED),
        "channel": name,
        "flags": granted | state | (Flag.HAS_BACKLOG if backlog else 0),
        "channelSerial": channel.serial_text(channel.serial),
    }
    if params:
        reply["params"] = params
    link.send(reply)
    if resume_from is not None:
        ctx.hub.catch_up(channel, session, granted, resume_from)
    if backlog:
        link.send(
            {
                "action": int(Action.MESSAGE),
                "channel": name,
                "channelSerial": channel.serial_text(channel.serial),
                "messages": backlog,
            }
        )
    if sync is not None:
        link.send(sync)


def on_detach(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    name = frame.get("channel")
    if isinstance(name, str):
        session.attached.pop(name, None)
        ctx.hub.detach(session.app_id, name, session.connection_id)
    link.send({"action": int(Action.DETACHED), "channel": name})
