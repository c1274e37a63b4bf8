"""Capabilities: every documented intersection example, resource wildcards and operations."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokenlab.core.capability import (
    OPERATIONS,
    Capability,
    pattern_covers,
    resource_matches,
)
from tokenlab.core.errors import CapabilityError

PUB, SUB, PRES, HIST = "publish", "subscribe", "presence", "history"
KEY2 = {f"channel{i}": [PUB, SUB] for i in range(6)} | {"channel2": [PUB, SUB], "channel6": ["*"]}
KEY1 = {"cansubscribe:*": [SUB], "canpublish:*": [PUB], "canpublish:andpresence": [PRES, PUB]}


@pytest.mark.parametrize(
    ("key", "requested", "expected"),
    [
        (
            {"ns:*": [PUB, SUB, PRES], "notifications": [SUB, HIST], "alerts": [SUB]},
            {"ns:user-123": [SUB], "notifications": ["*"], "private": [PUB, SUB]},
            {"ns:user-123": [SUB], "notifications": [HIST, SUB]},
        ),
        (KEY2, {"channel2": [PRES, SUB]}, {"channel2": [SUB]}),
        (KEY2, {"channel2": ["*"]}, {"channel2": [PUB, SUB]}),
        (KEY2, {"channel6": [PUB, SUB]}, {"channel6": [PUB, SUB]}),
        ({"*": [SUB]}, {"cansubscribe:*": [SUB]}, {"cansubscribe:*": [SUB]}),
        (KEY1, {"canpublish:check": [PUB]}, {"canpublish:check": [PUB]}),
        ({"[*]*": ["*"]}, {"*": ["*"]}, {"*": ["*"]}),
        ({"*": ["*"]}, {"[*]*": ["*"]}, {"*": ["*"]}),
        ({"chat:*": [PUB]}, {"*": [PUB, SUB]}, {"chat:*": [PUB]}),
    ],
)
def test_intersection_examples(
    key: dict[str, list[str]], requested: dict[str, list[str]], expected: dict[str, list[str]]
) -> None:
    result = Capability.parse(requested).intersect(Capability.parse(key))
    assert result.to_dict() == expected


@pytest.mark.parametrize(
    ("key", "requested"),
    [
        (KEY1, {"canpublish:test": [SUB]}),
        (KEY2, {"channelx": [PUB]}),
        ({"ns": ["*"]}, {"other-ns": ["*"]}),
    ],
)
def test_empty_intersection_is_401(
    key: dict[str, list[str]], requested: dict[str, list[str]]
) -> None:
    with pytest.raises(CapabilityError) as info:
        Capability.parse(requested).intersect(Capability.parse(key))
    assert (info.value.ably_code, info.value.status) == (40160, 401)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ({"chan": ["publish_"]}, "capability.unknown_op"),
        ({"chan": ["*", "publish"]}, "capability.wildcard_mixed"),
        ({"chan": []}, "capability.empty_ops"),
        ({"chan": "publish"}, "capability.ops_not_list"),
        ({}, "capability.empty"),
        ("{not json", "capability.not_json"),
        ("[1]", "capability.not_object"),
        ({"[queues]x": ["publish"]}, "capability.bad_qualifier"),
        ({"a::b": ["publish"]}, "capability.bad_resource"),
        ({"*": ["statistics"]}, "capability.unknown_op"),
        ({"x": [{}]}, "capability.op_not_string"),
        ({"x": [["publish"]]}, "capability.op_not_string"),
        ({"x": [1, "publish"]}, "capability.op_not_string"),
    ],
)
def test_invalid_capabilities_are_400(value: object, code: str) -> None:
    with pytest.raises(CapabilityError) as info:
        Capability.parse(value if isinstance(value, str) else json.dumps(value))
    assert info.value.code == code
    assert info.value.status == 400


def test_canonical_form_matches_the_docs() -> None:
    raw = '{"private":["subscribe","publish","presence"],"*":["subscribe"]}'
    expected = '{"*":["subscribe"],"private":["presence","publish","subscribe"]}'
    assert Capability.parse(raw).canonical() == expected


@pytest.mark.parametrize(
    ("pattern", "resource", "matches"),
    [
        ("*", "foo", True),
        ("*", "foo:bar:baz", True),
        ("*", "[queue]q", False),
        ("*", "[meta]log", False),
        ("[*]*", "[meta]log", True),
        ("ns:*", "ns:a", True),
        ("ns:*", "ns:a:b", True),
        ("ns:*", "ns", False),
        ("foo:*:baz", "foo:bar:baz", True),
        ("foo:*:baz", "foo:bar:bam:baz", False),
        ("foo*", "foo*", True),
        ("foo*", "foobar", False),
        ("[queue]*", "[queue]jobs", True),
        ("[queue]*", "jobs", False),
    ],
)
def test_resource_matching(pattern: str, resource: str, matches: bool) -> None:
    assert resource_matches(pattern, resource) is matches


def test_allows_names_the_granting_pattern() -> None:
    cap = Capability.parse({"chat:*": [PUB, SUB], "chat:lobby": [SUB], "news": ["*"]})
    assert cap.allows("chat:lobby", SUB) == "chat:lobby"
    assert cap.allows("chat:room1", PUB) == "chat:*"
    assert cap.allows("news", "history") == "news"
    assert cap.allows("other", SUB) is None
    assert cap.allows("chat:room1", PRES) is None


def test_explain_is_plain_language() -> None:
    lines = Capability.parse({"chat:*": [PUB], "[*]*": ["stats"], "x": ["stats"]}).explain()
    assert any("chat" in line and "namespace" in line for line in lines)
    assert any("note" in line and "'x'" in line for line in lines)


# Property tests -------------------------------------------------------------------------------

_segment = st.sampled_from(["a", "b", "c", "*"])
_resource = st.one_of(
    st.lists(_segment, min_size=1, max_size=3).map(":".join),
    st.sampled_from(["[*]*", "[queue]*", "[queue]a", "[meta]*"]),
)
_ops = st.one_of(st.just(["*"]), st.lists(st.sampled_from(OPERATIONS[:5]), min_size=1, max_size=3))
_capability = st.dictionaries(_resource, _ops, min_size=1, max_size=4).map(Capability.parse)
_channel = st.one_of(
    st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4).map(":".join),
    st.sampled_from(["[queue]a", "[meta]b"]),
)


@given(_capability)
def test_canonical_is_idempotent(cap: Capability) -> None:
    assert Capability.parse(cap.canonical()).canonical() == cap.canonical()


@given(_capability, _capability, _channel, st.sampled_from(OPERATIONS[:5]))
def test_intersection_never_grants_more_and_agrees_with_allows(
    requested: Capability, key: Capability, channel: str, op: str
) -> None:
    try:
        result = requested.intersect(key)
    except CapabilityError:
        return  # an empty intersection grants nothing, so it cannot grant more
    if result.allows(channel, op):
        assert requested.allows(channel, op) is not None
        assert key.allows(channel, op) is not None


@given(_resource, _resource, _channel)
def test_covers_is_consistent_with_matching(outer: str, inner: str, channel: str) -> None:
    if pattern_covers(outer, inner) and resource_matches(inner, channel):
        assert resource_matches(outer, channel)
