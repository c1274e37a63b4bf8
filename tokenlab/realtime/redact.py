"""Redaction for realtime exports and printed URLs: the rules live in tokenlab.core.redact."""

from __future__ import annotations

from tokenlab.core.redact import MASK, SIG_MASK, redact_text, redact_token, redact_value

__all__ = ["MASK", "SIG_MASK", "redact_text", "redact_token", "redact_value"]
