"""The shared wire vocabulary and frame codecs (spec TR2-TR4, RTN2a)."""

from __future__ import annotations

import msgpack
import pytest

from tokenlab.core import wire
from tokenlab.core.wire import Action, Flag, FrameDecodeError, PresenceAction


def test_vocabulary_numbers_match_the_reference() -> None:
    assert (Action.CONNECTED, Action.AUTH, Action.ANNOTATION) == (4, 17, 21)
    assert wire.PRESENCE_ACTIONS == {0: "absent", 1: "present", 2: "enter", 3: "leave", 4: "update"}
    assert wire.PRESENCE_ACTION_CODES["leave"] == PresenceAction.LEAVE == 3
    assert (Flag.RESUMED, Flag.PUBLISH) == (1 << 2, 1 << 17)
    assert wire.CHANNEL_MODE_MASK == 0b1111 << 16 | 1 << 21 | 1 << 22  # + annotation modes
    assert wire.DEFAULT_CHANNEL_MODES & Flag.ANNOTATION_PUBLISH


@pytest.mark.parametrize("fmt", ["json", "msgpack"])
def test_round_trip(fmt: wire.WireFormat) -> None:
    message = {"action": 15, "channel": "c", "messages": [{"name": "é", "data": "d"}]}
    assert wire.decode_frame(wire.encode_frame(message, fmt)) == message


def test_binary_in_json_is_refused_or_base64_encoded() -> None:
    with pytest.raises(TypeError, match="base64-encoded"):
        wire.encode_frame({"data": b"\x00\x01"}, "json")
    assert wire.encode_frame({"data": b"\x00\x01"}, "json", base64_binary=True) == '{"data":"AAE="}'
    with pytest.raises(TypeError, match="cannot serialise set"):
        wire.encode_frame({"data": {1}}, "json", base64_binary=True)


def test_interned_keys_are_shared() -> None:
    key = "".join(["connection", "Id"])
    first = wire.decode_frame('{"connectionId": 1}', intern_keys=True)
    second = wire.decode_frame(msgpack.packb({key: 2}), intern_keys=True)
    assert next(iter(first)) is next(iter(second))


def test_non_string_msgpack_keys_only_when_allowed() -> None:
    packed = msgpack.packb({1: "one"})
    with pytest.raises(FrameDecodeError) as info:
        wire.decode_frame(packed)
    assert info.value.kind == "msgpack" and "map key" in info.value.detail
    assert wire.decode_frame(packed, strict_map_key=False) == {"1": "one"}


@pytest.mark.parametrize(
    ("raw", "kind", "found"),
    [("{nope", "JSON", None), (b"\xc1", "msgpack", None), ("[1]", "JSON", "list")],
)
def test_undecodable_frames_raise_frame_decode_error(
    raw: str | bytes, kind: str, found: str | None
) -> None:
    with pytest.raises(FrameDecodeError) as info:
        wire.decode_frame(raw)
    assert info.value.kind == kind and info.value.found == found
    assert (info.value.cause is None) == (found is not None)


def test_hostile_nesting_is_a_decode_error() -> None:
    with pytest.raises(FrameDecodeError) as info:
        wire.decode_frame("[" * 100_000 + "]" * 100_000)
    assert isinstance(info.value.cause, RecursionError)
