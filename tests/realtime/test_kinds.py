"""The event-kind registry covers every kind the stream can emit, and everyone reads it."""

from __future__ import annotations

import typing

from tokenlab.realtime.events import (
    ClientRefusal,
    Event,
    EventBody,
    FrameReceived,
    Note,
    StateChanged,
)
from tokenlab.realtime.export import event_to_dict, to_markdown
from tokenlab.realtime.kinds import GROUPS, KINDS, MARKERS, Severity, marker_of, summarize
from tokenlab.realtime.protocol import ErrorInfo
from tokenlab.realtime.timeline import describe

BODY_TYPES = typing.get_args(EventBody)


def test_every_event_kind_the_stream_can_emit_has_an_entry() -> None:
    kinds = {body.kind for body in BODY_TYPES}
    missing = kinds - set(KINDS)
    assert not missing, f"event kinds without a registry entry: {sorted(missing)}"
    assert set(KINDS) == kinds, "registry entries for kinds the stream never emits"
    assert set().union(*GROUPS.values()) == kinds  # every kind is in one filter group


def test_every_marker_a_kind_places_is_in_the_legend() -> None:
    bodies = [
        StateChanged("connected", "disconnected", "disconnected", None, 0),
        StateChanged("connected", "failed", "failed", ErrorInfo(40141, 401, "revoked"), None),
        StateChanged("connected", "connected", "update", None, None),
        ClientRefusal("presence", "chat", None, ErrorInfo(91000, 400, "no clientId")),
        Note("careful", "warning"),
    ]
    for body in bodies:
        marker = marker_of(body)
        assert marker is not None and marker[0] in MARKERS
    assert marker_of(bodies[0]) == ("disconnect", "disconnected")
    assert marker_of(bodies[1])[0] == "revocation"  # type: ignore[index]


def test_a_refusal_is_an_error_with_its_code_in_every_form() -> None:
    body = ClientRefusal("publish", "chat", "mallory", ErrorInfo(40012, 400, "not yours"))
    event = Event(7, 3, 1_700_000_000_000, 1.0, "Bob", body)
    assert KINDS["client_refusal"].severity(body) is Severity.ERROR
    line = describe(event)
    assert "publish on chat as 'mallory' refused by the client [40012" in line
    out = event_to_dict(event)
    assert (out["kind"], out["code"], out["severity"]) == ("client_refusal", 40012, "error")
    assert out["help"] == "https://help.ably.io/error/40012" and "40012" in out["meaning"]
    report = to_markdown([event])
    assert "refused" in report and "40012" in report


def test_summaries_format_numbers_for_people() -> None:
    frame = FrameReceived(17, "AUTH", None, {"action": 17}, '{"action":17}', None)
    assert summarize(frame, 0) == "← AUTH"
    assert marker_of(frame) == ("server_auth", "server asked to reauthorise (AUTH)")
    state = StateChanged("connected", "disconnected", "disconnected", None, 1500)
    assert summarize(state, 0) == "connected → disconnected, retry in 1.5 s"
    assert summarize(StateChanged("connected", "disconnected", "disconnected", None, 0), 0) == (
        "connected → disconnected, retrying at once"
    )
