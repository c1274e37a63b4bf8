"""Ably capabilities: parsing, validation, canonical form, matching and intersection.

A capability maps resource patterns to operation lists (Ably's capability docs). Resources are
channel patterns made of ``:``-separated segments where ``*`` replaces a whole segment: a trailing
``*`` matches one or more segments, a ``*`` elsewhere exactly one, and ``*`` alone every channel
(but not queues or metachannels). ``[queue]…`` and ``[meta]…`` qualify other resource kinds and
``[*]*`` matches everything.

The intersection algorithm is not published by Ably; ``Capability.intersect`` implements one
that reproduces every documented and tested example of Ably's capability determination.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tokenlab.core.errors import CapabilityError

OPERATIONS: tuple[str, ...] = (
    "publish",
    "subscribe",
    "presence",
    "history",
    "channel-metadata",
    "push-subscribe",
    "push-admin",
    "privileged-headers",
    "stats",
    "object-subscribe",
    "object-publish",
    "annotation-subscribe",
    "annotation-publish",
    "message-update-own",
    "message-update-any",
    "message-delete-own",
    "message-delete-any",
)
_OPS = frozenset(OPERATIONS)
QUALIFIERS = ("[queue]", "[meta]")
ALL_RESOURCES = "[*]*"

Grants = tuple[tuple[str, tuple[str, ...]], ...]


def _invalid(message: str, code: str, fix: str | None = None) -> CapabilityError:
    return CapabilityError(message, code=f"capability.{code}", ably_code=40000, status=400, fix=fix)


def _split(resource: str) -> tuple[str, list[str]]:
    """Split a resource into its qualifier ('' for channels, '[*]' for all) and segments."""
    for qualifier in (*QUALIFIERS, "[*]"):
        if resource.startswith(qualifier):
            return qualifier, resource[len(qualifier) :].split(":")
    return "", resource.split(":")


def _segments_match(pattern: list[str], name: list[str]) -> bool:
    if pattern[-1] == "*":
        head = pattern[:-1]
        if len(name) < len(pattern):
            return False
        return all(p in ("*", n) for p, n in zip(head, name, strict=False))
    if len(name) != len(pattern):
        return False
    return all(p in ("*", n) for p, n in zip(pattern, name, strict=True))


def resource_matches(pattern: str, resource: str) -> bool:
    """Does ``pattern`` grant access to the concrete ``resource`` (a channel name or
    ``[queue]name`` / ``[meta]name``)?"""
    if pattern == ALL_RESOURCES:
        return True
    p_qual, p_segs = _split(pattern)
    r_qual, r_segs = _split(resource)
    if p_qual != r_qual:
        return False
    return _segments_match(p_segs, r_segs)


def pattern_covers(outer: str, inner: str) -> bool:
    """Does every resource matched by pattern ``inner`` also match pattern ``outer``?"""
    if outer in (inner, ALL_RESOURCES):
        return True
    if inner == ALL_RESOURCES:
        return False
    o_qual, o_segs = _split(outer)
    i_qual, i_segs = _split(inner)
    if o_qual != i_qual:
        return False
    if o_segs[-1] == "*":
        head = o_segs[:-1]
        if len(i_segs) < len(o_segs):
            return False
        return all(o in ("*", i) for o, i in zip(head, i_segs, strict=False))
    if i_segs[-1] == "*" or len(i_segs) != len(o_segs):
        return False
    return all(o == "*" or (o == i and i != "*") for o, i in zip(o_segs, i_segs, strict=True))


def _validate_resource(resource: Any) -> str:
    if not isinstance(resource, str) or not resource:
        raise _invalid(f"Resource {resource!r} must be a non-empty string.", "bad_resource")
    if resource.startswith("[") and resource != ALL_RESOURCES:
        qualifier = resource[: resource.find("]") + 1] if "]" in resource else resource
        if qualifier not in QUALIFIERS:
            raise _invalid(
                f"Resource {resource!r} has an unknown qualifier {qualifier!r}.",
                "bad_qualifier",
                "Use [queue]name, [meta]name or [*]*; channel names cannot start with '['.",
            )
        if len(resource) == len(qualifier):
            raise _invalid(f"Resource {resource!r} names no queue or metachannel.", "bad_resource")
    _, segments = _split(resource)
    if any(seg == "" for seg in segments):
        raise _invalid(f"Resource {resource!r} has an empty ':' segment.", "bad_resource")
    return resource


def _validate_ops(resource: str, ops: Any) -> tuple[str, ...]:
    if not isinstance(ops, list | tuple):
        raise _invalid(
            f"Operations for {resource!r} must be a list, not {type(ops).__name__}.",
            "ops_not_list",
            f'Write {{"{resource}": ["subscribe"]}}.',
        )
    if not ops:
        raise _invalid(f"Resource {resource!r} has an empty operation list.", "empty_ops")
    for op in ops:
        if not isinstance(op, str):
            raise _invalid(
                f"Operation {op!r:.60} on {resource!r} is a {type(op).__name__}, not a string.",
                "op_not_string",
                f'Write each operation as a string, e.g. {{"{resource}": ["subscribe"]}}.',
            )
        if op != "*" and op not in _OPS:
            hint = " (the name is 'stats')" if op == "statistics" else ""
            raise _invalid(
                f"Unknown operation {op!r} on {resource!r}{hint}.",
                "unknown_op",
                "Valid operations: " + ", ".join(OPERATIONS) + ", or '*'.",
            )
    if "*" in ops and len(set(ops)) > 1:
        raise _invalid(
            f"Resource {resource!r} mixes '*' with named operations.",
            "wildcard_mixed",
            'Use either ["*"] or a list of named operations.',
        )
    return tuple(sorted(set(ops)))


def _ops_and(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    if a == ("*",):
        return b
    if b == ("*",):
        return a
    return tuple(sorted(set(a) & set(b)))


def _ops_or(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    if "*" in a or "*" in b:
        return ("*",)
    return tuple(sorted(set(a) | set(b)))


def _describe_resource(resource: str) -> str:
    if resource == ALL_RESOURCES:
        return "every channel, queue and metachannel"
    if resource == "*":
        return "every channel (not queues or metachannels)"
    qualifier, segments = _split(resource)
    kind = {"[queue]": "queue", "[meta]": "metachannel"}.get(qualifier, "channel")
    name = resource[len(qualifier) :]
    if "*" not in segments:
        return f"the {kind} {name!r}"
    if segments[-1] == "*" and "*" not in segments[:-1]:
        prefix = ":".join(segments[:-1])
        return f"every {kind} in the {prefix!r} namespace ({prefix}:…)"
    return f"every {kind} matching {name!r} ('*' stands for one segment, or more at the end)"


@dataclass(frozen=True)
class Capability:
    grants: Grants

    @classmethod
    def parse(cls, value: str | Mapping[str, Any]) -> Capability:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except (ValueError, RecursionError) as exc:
                raise _invalid(
                    f"The capability is not valid JSON: {exc}.",
                    "not_json",
                    'Write it as JSON, e.g. {"chat:*": ["publish", "subscribe"]}.',
                ) from None
        if not isinstance(value, Mapping):
            raise _invalid(
                "A capability must be a JSON object mapping resources to operation lists.",
                "not_object",
                'Write it as {"channel": ["subscribe"]}.',
            )
        if not value:
            raise _invalid("The capability grants nothing: it has no resources.", "empty")
        merged: dict[str, tuple[str, ...]] = {}
        for resource, ops in value.items():
            name = _validate_resource(resource)
            merged[name] = _ops_or(merged.get(name, ()), _validate_ops(name, ops))
        return cls(tuple(sorted(merged.items())))

    @classmethod
    def all(cls) -> Capability:
        return cls((("*", ("*",)),))

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, Iterable[str]]]) -> Capability:
        merged: dict[str, tuple[str, ...]] = {}
        for resource, ops in pairs:
            merged[resource] = _ops_or(merged.get(resource, ()), tuple(ops))
        return cls(tuple(sorted(merged.items())))

    @property
    def resources(self) -> tuple[str, ...]:
        return tuple(resource for resource, _ in self.grants)

    @property
    def is_empty(self) -> bool:
        return not self.grants

    def ops_for(self, resource: str) -> tuple[str, ...]:
        return dict(self.grants).get(resource, ())

    def to_dict(self) -> dict[str, list[str]]:
        return {resource: list(ops) for resource, ops in self.grants}

    def canonical(self) -> str:
        """Compact JSON with sorted resources and operations (Ably's canonical form)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    def allows(self, channel: str, operation: str) -> str | None:
        """The resource pattern that grants ``operation`` on ``channel``, or None."""
        matches = [
            resource
            for resource, ops in self.grants
            if ("*" in ops or operation in ops) and resource_matches(resource, channel)
        ]
        if not matches:
            return None
        return channel if channel in matches else matches[0]

    def intersect(self, key: Capability) -> Capability:
        """What a token requesting ``self`` gets from a key with capability ``key``."""
        pairs: list[tuple[str, tuple[str, ...]]] = []
        for requested, req_ops in self.grants:
            for granted, key_ops in key.grants:
                if pattern_covers(granted, requested):
                    resource = requested
                elif pattern_covers(requested, granted):
                    resource = granted
                else:
                    continue
                ops = _ops_and(req_ops, key_ops)
                if ops:
                    pairs.append((resource, ops))
        result = Capability.from_pairs(pairs)
        if result.is_empty:
            raise CapabilityError(
                "The requested capability does not overlap the key's capability.",
                code="capability.empty_intersection",
                ably_code=40160,
                status=401,
                fix="Request only resources and operations that the key itself allows.",
            )
        return result

    def explain(self) -> list[str]:
        lines = []
        for resource, ops in self.grants:
            what = "every operation" if ops == ("*",) else ", ".join(ops)
            lines.append(f"{resource}: {what} on {_describe_resource(resource)}")
            if "stats" in ops and resource not in ("*", ALL_RESOURCES):
                lines.append(
                    f"  note: 'stats' only has an effect on '*' or '[*]*', not {resource!r}"
                )
        return lines

    def __str__(self) -> str:
        return self.canonical()
