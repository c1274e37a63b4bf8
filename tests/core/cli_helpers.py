"""Shared by the CLI tests: a key, a golden Ably JWT signed with it, and a runner."""

from __future__ import annotations

import pytest

from tokenlab.cli import main

KEY = "appId.keyId:s3cr3t"
GOLDEN = (
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6ImFwcElkLmtleUlkIn0."
    "eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMCwieC1hYmx5LWNhcGFiaWxpdHkiOiJ7XCIqXCI6W1wi"
    "KlwiXX0iLCJ4LWFibHktY2xpZW50SWQiOiJ1c2VyQGV4YW1wbGUuY29tIn0."
    "PeGHxxBkAtR9oHmf7CeQPrG7A2Z1yzqcV0mOZuqCqtk"
)
FRESH = "--now-ms=1700000100000"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``tokenlab ARGV`` in-process: exit code, stdout, stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
