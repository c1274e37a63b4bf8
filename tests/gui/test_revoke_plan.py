"""What Revoke says it will do: by clientId, by the token's revocation key, or why not."""

from __future__ import annotations

from tokenlab.gui.live.revoke_plan import describe_result, plan_revoke
from tokenlab.realtime.rest import RevokeOutcome

NOW = 1_700_000_000_000


def test_identified_connections_are_revoked_by_client_id() -> None:
    plan = plan_revoke("Alice", "alice", None, "app.key")
    assert plan.target == "clientId:alice" and "40141" in plan.before


def test_wildcard_and_anonymous_tokens_use_their_revocation_key_or_say_there_is_none() -> None:
    claims = {"x-ably-revocation-key": "team-7"}
    for client_id in ("*", None):
        with_key = plan_revoke("Bob", client_id, claims, "app.key")
        assert with_key.target == "revocationKey:team-7"
        assert "would match nothing" in with_key.before
        without = plan_revoke("Bob", client_id, {}, "app.key")
        assert without.target is None and "no revocation key" in without.before
    assert plan_revoke("Alice", "alice", None, None).target is None  # no key to revoke with


def test_the_result_counts_hits_and_never_shows_a_raw_epoch() -> None:
    outcomes = [RevokeOutcome("clientId:alice", NOW + 30_000)]
    text = describe_result(outcomes, 3, 1, NOW)
    assert text == "clientId:alice revoked (applies in 30 s): 3 tokens, 1 connection hit"
    assert str(NOW) not in text
    failed = describe_result(
        [RevokeOutcome("clientId:x", None, "40163 not revocable")], None, 0, NOW
    )
    assert "failed (40163 not revocable)" in failed and "tokens unknown" in failed


def test_the_sandbox_tab_line_shows_a_time_not_an_epoch() -> None:
    text = RevokeOutcome("clientId:bob", NOW).describe()
    assert text.startswith("clientId:bob: revoked, applies at ") and str(NOW) not in text
