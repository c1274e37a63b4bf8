"""The sandbox's SQLite store: apps, keys, issued tokens, used nonces, revocations, events.

One file (WAL mode) under the user data dir, or ``":memory:"`` for tests. Key secrets are the
only secrets stored, and only here: issued Ably tokens are kept as a SHA-256 hash plus a short
display hint, so a token issued before a restart is still recognised after it without the
token string itself ever being written down. The journal holds event messages, which never
contain secrets or tokens.

All calls are synchronous and fast (local SQLite, small rows); the server calls them from the
event loop. ``check_same_thread=False`` lets an embedder create the store in one thread and use it
from the loop thread, but it must not be used from two threads at once.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS apps (
    app_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, label TEXT NOT NULL,
    created_ms INTEGER NOT NULL, demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS keys (
    key_name TEXT PRIMARY KEY, app_id TEXT NOT NULL, key_id TEXT NOT NULL,
    secret TEXT NOT NULL, capability TEXT NOT NULL, revocable INTEGER NOT NULL,
    label TEXT NOT NULL, created_ms INTEGER NOT NULL, revoked_ms INTEGER,
    position INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, hint TEXT NOT NULL, kind TEXT NOT NULL,
    key_name TEXT NOT NULL, app_id TEXT NOT NULL, issued INTEGER NOT NULL,
    expires INTEGER NOT NULL, capability TEXT NOT NULL, client_id TEXT,
    revocable INTEGER NOT NULL, revocation_key TEXT);
CREATE INDEX IF NOT EXISTS tokens_issued ON tokens (issued);
CREATE TABLE IF NOT EXISTS nonces (
    key_name TEXT NOT NULL, nonce TEXT NOT NULL, timestamp INTEGER NOT NULL,
    PRIMARY KEY (key_name, nonce, timestamp)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nonces_ts ON nonces (timestamp);
CREATE TABLE IF NOT EXISTS revocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL, key_name TEXT NOT NULL,
    target_type TEXT NOT NULL, target_value TEXT NOT NULL, issued_before INTEGER NOT NULL,
    applies_at INTEGER NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, kind TEXT NOT NULL,
    message TEXT NOT NULL, data TEXT NOT NULL);
"""

JOURNAL_LIMIT = 5_000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_hint(token: str) -> str:
    """A recognisable but useless prefix, e.g. ``appId.Ab3d…``."""
    app, _, rest = token.partition(".")
    return f"{app}.{rest[:4]}…" if rest else f"{token[:8]}…"


@dataclass(frozen=True)
class AppRecord:
    app_id: str
    account_id: str
    label: str
    created_ms: int
    demo: bool


@dataclass(frozen=True)
class KeyRecord:
    key_name: str
    app_id: str
    key_id: str
    secret: str
    capability: str  # canonical JSON
    revocable: bool
    label: str
    created_ms: int
    revoked_ms: int | None

    def __repr__(self) -> str:  # never show the secret
        return f"KeyRecord({self.key_name!r}, label={self.label!r}, revocable={self.revocable})"


@dataclass(frozen=True)
class TokenRecord:
    hint: str
    kind: str  # "ably" | "jwt"
    key_name: str
    app_id: str
    issued: int
    expires: int
    capability: str
    client_id: str | None
    revocable: bool
    revocation_key: str | None


@dataclass(frozen=True)
class RevocationRecord:
    id: int
    app_id: str
    key_name: str
    target_type: str
    target_value: str
    issued_before: int
    applies_at: int
    created_ms: int


@dataclass(frozen=True)
class JournalEntry:
    id: int
    at_ms: int
    kind: str
    message: str
    data: dict[str, Any]


class Store:
    """Typed access to the sandbox database."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        if target != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.execute(
            "INSERT OR IGNORE INTO meta (k, v) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        self._journal_inserts = 0

    def close(self) -> None:
        self._db.close()

    # -- meta ------------------------------------------------------------------------------
    def get_meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT v FROM meta WHERE k = ?", (name,)).fetchone()
        return None if row is None else str(row["v"])

    def set_meta(self, name: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", (name, value))

    # -- apps and keys ---------------------------------------------------------------------
    def add_app(self, app: AppRecord) -> None:
        self._db.execute(
            "INSERT INTO apps VALUES (?, ?, ?, ?, ?)",
            (app.app_id, app.account_id, app.label, app.created_ms, int(app.demo)),
        )

    def app(self, app_id: str) -> AppRecord | None:
        row = self._db.execute("SELECT * FROM apps WHERE app_id = ?", (app_id,)).fetchone()
        return None if row is None else _app(row)

    def apps(self) -> list[AppRecord]:
        rows = self._db.execute("SELECT * FROM apps ORDER BY created_ms, app_id").fetchall()
        return [_app(r) for r in rows]

    def delete_app(self, app_id: str) -> None:
        with self._db:
            for table in ("keys", "tokens", "revocations", "apps"):
                self._db.execute(f"DELETE FROM {table} WHERE app_id = ?", (app_id,))

    def add_key(self, key: KeyRecord, position: int = 0) -> None:
        self._db.execute(
            "INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key.key_name,
                key.app_id,
                key.key_id,
                key.secret,
                key.capability,
                int(key.revocable),
                key.label,
                key.created_ms,
                key.revoked_ms,
                position,
            ),
        )

    def key(self, key_name: str) -> KeyRecord | None:
        row = self._db.execute("SELECT * FROM keys WHERE key_name = ?", (key_name,)).fetchone()
        return None if row is None else _key(row)

    def keys(self, app_id: str | None = None) -> list[KeyRecord]:
        sql = "SELECT * FROM keys"
        args: tuple[Any, ...] = ()
        if app_id is not None:
            sql += " WHERE app_id = ?"
            args = (app_id,)
        rows = self._db.execute(sql + " ORDER BY app_id, position, created_ms", args).fetchall()
        return [_key(r) for r in rows]

    def revoke_key(self, key_name: str, at_ms: int) -> bool:
        cur = self._db.execute(
            "UPDATE keys SET revoked_ms = ? WHERE key_name = ? AND revoked_ms IS NULL",
            (at_ms, key_name),
        )
        return cur.rowcount > 0

    # -- tokens ----------------------------------------------------------------------------
    def add_token(self, token: str, record: TokenRecord) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                token_hash(token),
                record.hint,
                record.kind,
                record.key_name,
                record.app_id,
                record.issued,
                record.expires,
                record.capability,
                record.client_id,
                int(record.revocable),
                record.revocation_key,
            ),
        )

    def token(self, token: str) -> TokenRecord | None:
        row = self._db.execute(
            "SELECT * FROM tokens WHERE token_hash = ? AND kind = 'ably'", (token_hash(token),)
        ).fetchone()
        return None if row is None else _token(row)

    def tokens(self, limit: int = 200, app_id: str | None = None) -> list[TokenRecord]:
        where, args = ("WHERE app_id = ?", (app_id, limit)) if app_id else ("", (limit,))
        rows = self._db.execute(
            f"SELECT * FROM tokens {where} ORDER BY issued DESC LIMIT ?", args
        ).fetchall()
        return [_token(r) for r in rows]

    def prune_tokens(self, expired_before: int) -> int:
        cur = self._db.execute("DELETE FROM tokens WHERE expires < ?", (expired_before,))
        return cur.rowcount

    # -- nonces ----------------------------------------------------------------------------
    def use_nonce(self, key_name: str, nonce: str, timestamp: int) -> bool:
        """Record a (nonce, timestamp) pair; False when it was already used (replay)."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO nonces VALUES (?, ?, ?)", (key_name, nonce, timestamp)
        )
        return cur.rowcount == 1

    def prune_nonces(self, older_than: int) -> int:
        cur = self._db.execute("DELETE FROM nonces WHERE timestamp < ?", (older_than,))
        return cur.rowcount

    # -- revocations -----------------------------------------------------------------------
    def add_revocation(
        self,
        app_id: str,
        key_name: str,
        target_type: str,
        target_value: str,
        issued_before: int,
        applies_at: int,
        created_ms: int,
    ) -> RevocationRecord:
        cur = self._db.execute(
            "INSERT INTO revocations (app_id, key_name, target_type, target_value, "
            "issued_before, applies_at, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (app_id, key_name, target_type, target_value, issued_before, applies_at, created_ms),
        )
        rowid = cur.lastrowid or 0
        return RevocationRecord(
            rowid,
            app_id,
            key_name,
            target_type,
            target_value,
            issued_before,
            applies_at,
            created_ms,
        )

    def revocations(self) -> list[RevocationRecord]:
        rows = self._db.execute("SELECT * FROM revocations ORDER BY id").fetchall()
        return [RevocationRecord(**dict(r)) for r in rows]

    # -- journal ---------------------------------------------------------------------------
    def journal(self, rows: list[tuple[int, str, str, dict[str, Any]]]) -> None:
        """Append events (at_ms, kind, message, data) in one transaction; keeps the last
        ``JOURNAL_LIMIT`` entries."""
        if not rows:
            return
        with self._db:
            self._db.executemany(
                "INSERT INTO events (at_ms, kind, message, data) VALUES (?, ?, ?, ?)",
                [(at, kind, msg, json.dumps(data, default=str)) for at, kind, msg, data in rows],
            )
        self._journal_inserts += len(rows)
        if self._journal_inserts >= 500:
            self._journal_inserts = 0
            self._db.execute(
                "DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?", (JOURNAL_LIMIT,)
            )

    def journal_entries(self, limit: int = 200) -> list[JournalEntry]:
        rows = self._db.execute("SELECT * FROM events ORDER BY id DESC LIMIT ?", (limit,))
        return [
            JournalEntry(r["id"], r["at_ms"], r["kind"], r["message"], json.loads(r["data"]))
            for r in reversed(rows.fetchall())
        ]


def _app(row: sqlite3.Row) -> AppRecord:
    return AppRecord(
        row["app_id"], row["account_id"], row["label"], row["created_ms"], bool(row["demo"])
    )


def _key(row: sqlite3.Row) -> KeyRecord:
    return KeyRecord(
        key_name=row["key_name"],
        app_id=row["app_id"],
        key_id=row["key_id"],
        secret=row["secret"],
        capability=row["capability"],
        revocable=bool(row["revocable"]),
        label=row["label"],
        created_ms=row["created_ms"],
        revoked_ms=row["revoked_ms"],
    )


def _token(row: sqlite3.Row) -> TokenRecord:
    return TokenRecord(
        hint=row["hint"],
        kind=row["kind"],
        key_name=row["key_name"],
        app_id=row["app_id"],
        issued=row["issued"],
        expires=row["expires"],
        capability=row["capability"],
        client_id=row["client_id"],
        revocable=bool(row["revocable"]),
        revocation_key=row["revocation_key"],
    )
