"""An opaque token the embedded sandbox issued is described fully in Inspect."""

from __future__ import annotations

from tokenlab.core.inspector import inspect
from tokenlab.core.report import TokenKind
from tokenlab.sandbox import Sandbox


async def test_sandbox_token_is_described_fully(sb: Sandbox) -> None:
    key = sb.demo_keys["revocable"]
    details = sb.issue_token(key.name, client_id="alice", capability='{"chat:*":["publish"]}')
    report = inspect(details.token, now_ms=sb.now_ms(), lookup=sb.describe_token)
    assert report.kind is TokenKind.ABLY_TOKEN
    assert "issued by the embedded sandbox" in report.summary
    assert report.identity is not None and report.identity.client_id == "alice"
    assert report.capability is not None and report.capability.parsed is not None
    assert report.capability.parsed.allows("chat:a", "publish") == "chat:*"
    fields = {f.name: f.value for f in report.claims}
    assert fields["keyName"] == key.name and fields["revocable"] is True
    assert {t.name for t in report.times} == {"issued", "expires"}
    assert report.verdict.outcome == "fine"
    assert report.finding("ably_token.issued_here") is not None
    later = inspect(details.token, now_ms=details.expires + 1, lookup=sb.describe_token)
    assert later.verdict.ably_code == 40142


async def test_other_tokens_are_still_opaque(sb: Sandbox) -> None:
    report = inspect("abcdef.0123456789abcdefghij", now_ms=sb.now_ms(), lookup=sb.describe_token)
    assert report.finding("ably_token.opaque") is not None
