"""Local users and API tokens, in a small SQLite file in the data directory.

Passwords are argon2id hashes; API tokens are random 256-bit strings of which only a SHA-256 is
kept (a token is shown once, when it is made). The file is in WAL mode so the web server reads it
while `learnlake users …` writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("operator", "org_staff", "course_staff", "analyst", "learner")
TOKEN_PREFIX = "llk_"
_NAME = re.compile(r"^[A-Za-z0-9_.@+-]{1,150}$")
_HASHER = PasswordHasher()

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT,
    orgs TEXT NOT NULL DEFAULT '[]',
    courses TEXT NOT NULL DEFAULT '[]',
    actor_id TEXT,
    pii INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'local'
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    label TEXT,
    created_at TEXT NOT NULL
);
"""


class UserError(ValueError):
    """A bad user name, role or grant (shown to the operator as one line)."""


@dataclass
class User:
    """One local user and what they may see."""

    name: str
    role: str
    orgs: list[str] = field(default_factory=list)
    courses: list[str] = field(default_factory=list)
    actor_id: str | None = None
    pii: bool = False
    created_at: str = ""
    source: str = "local"  # local (learnlake users) or lms (signed in with the LMS, roles from it)


def users_path(data_dir: Path) -> Path:
    """Where the user database lives."""
    return Path(data_dir) / "users.sqlite"


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


class UserStore:
    """CRUD over users and tokens; every method opens and closes its own connection."""

    def __init__(self, data_dir: Path) -> None:
        self.path = users_path(data_dir)

    def _db(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(SCHEMA)
        columns = {row[1] for row in db.execute("PRAGMA table_info(users)")}
        if "source" not in columns:  # a users.sqlite from before LMS sign-in
            db.execute("ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local'")
        return db

    def has_users(self) -> bool:
        """False until the first user is added (the server then runs in local single-user mode)."""
        if not self.path.exists():
            return False
        db = self._db()
        try:
            return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
        finally:
            db.close()

    def add(
        self,
        name: str,
        role: str,
        password: str | None = None,
        orgs: Iterable[str] = (),
        courses: Iterable[str] = (),
        actor_id: str | None = None,
        pii: bool = False,
    ) -> User:
        """Create a user; a learner must name their xAPI actor id."""
        if not _NAME.match(name):
            raise UserError(f"invalid user name {name!r} (letters, digits and _.@+- only)")
        if role not in ROLES:
            raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
        if role == "learner" and not actor_id:
            raise UserError("a learner needs --actor (their xAPI actor id)")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        db = self._db()
        try:
            try:
                db.execute(
                    "INSERT INTO users (name, role, password_hash, orgs, courses, actor_id, pii, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        role,
                        _HASHER.hash(password) if password else None,
                        orjson.dumps(sorted(set(orgs))).decode(),
                        orjson.dumps(sorted(set(courses))).decode(),
                        actor_id,
                        int(pii),
                        now,
                    ),
                )
            except sqlite3.IntegrityError:
                raise UserError(f"user {name!r} already exists") from None
        finally:
            db.close()
        user = self.get(name)
        assert user is not None
        return user

    def get(self, name: str) -> User | None:
        """One user by name."""
        db = self._db()
        try:
            row = db.execute(
                "SELECT name, role, orgs, courses, actor_id, pii, created_at, source FROM users "
                "WHERE name = ?",
                (name,),
            ).fetchone()
        finally:
            db.close()
        return _user(row) if row else None

    def list(self) -> list[User]:
        """Every user, by name."""
        db = self._db()
        try:
            rows = db.execute(
                "SELECT name, role, orgs, courses, actor_id, pii, created_at, source FROM users ORDER BY name"
            ).fetchall()
        finally:
            db.close()
        return [_user(r) for r in rows]

    def remove(self, name: str) -> None:
        """Delete a user and their tokens."""
        db = self._db()
        try:
            if db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise UserError(f"no user {name!r}")
        finally:
            db.close()

    def grant(
        self,
        name: str,
        orgs: Iterable[str] = (),
        courses: Iterable[str] = (),
        pii: bool | None = None,
        revoke: bool = False,
    ) -> User:
        """Add (or with revoke=True remove) orgs and courses; set or clear the PII grant."""
        user = self.get(name)
        if user is None:
            raise UserError(f"no user {name!r}")
        o, c = set(user.orgs), set(user.courses)
        if revoke:
            o -= set(orgs)
            c -= set(courses)
        else:
            o |= set(orgs)
            c |= set(courses)
        db = self._db()
        try:
            db.execute(
                "UPDATE users SET orgs = ?, courses = ?, pii = ? WHERE name = ?",
                (
                    orjson.dumps(sorted(o)).decode(),
                    orjson.dumps(sorted(c)).decode(),
                    int(user.pii if pii is None else pii),
                    name,
                ),
            )
        finally:
            db.close()
        updated = self.get(name)
        assert updated is not None
        return updated

    def upsert_lms(
        self, name: str, role: str, orgs: Iterable[str], courses: Iterable[str], actor_id: str | None
    ) -> User:
        """Create or refresh a user signed in with the LMS: role and scope follow the LMS each time.

        The personal-data grant stays what an operator set. A local user of the same name is
        never taken over.
        """
        if not _NAME.match(name) or role not in ROLES:
            raise UserError(f"invalid LMS user {name!r} ({role})")
        existing = self.get(name)
        if existing is not None and existing.source != "lms":
            raise UserError(f"a local user {name!r} already exists")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        db = self._db()
        try:
            db.execute(
                "INSERT INTO users (name, role, orgs, courses, actor_id, pii, created_at, source) "
                "VALUES (?, ?, ?, ?, ?, 0, ?, 'lms') ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
                "orgs = excluded.orgs, courses = excluded.courses, actor_id = excluded.actor_id "
                "WHERE users.source = 'lms'",
                (
                    name,
                    role,
                    orjson.dumps(sorted(set(orgs))).decode(),
                    orjson.dumps(sorted(set(courses))).decode(),
                    actor_id,
                    now,
                ),
            )
        finally:
            db.close()
        user = self.get(name)
        assert user is not None
        return user

    def set_password(self, name: str, password: str) -> None:
        """Replace a user's password."""
        db = self._db()
        try:
            cur = db.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?", (_HASHER.hash(password), name)
            )
            if cur.rowcount == 0:
                raise UserError(f"no user {name!r}")
        finally:
            db.close()

    def check_password(self, name: str, password: str) -> User | None:
        """The user when the password matches, else None (same cost for unknown users)."""
        db = self._db()
        try:
            row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        finally:
            db.close()
        stored = row[0] if row and row[0] else None
        try:
            if stored is None:
                _HASHER.hash(password)  # spend the same time as for a real user
                return None
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return self.get(name)

    def new_token(self, name: str, label: str | None = None) -> str:
        """Make an API token for a user; the clear token is returned once and never stored."""
        if self.get(name) is None:
            raise UserError(f"no user {name!r}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        db = self._db()
        try:
            db.execute(
                "INSERT INTO tokens (token_hash, user_name, label, created_at) VALUES (?, ?, ?, ?)",
                (hash_token(token), name, label, now),
            )
        finally:
            db.close()
        return token

    def revoke_tokens(self, name: str) -> int:
        """Delete every token of a user."""
        db = self._db()
        try:
            return db.execute("DELETE FROM tokens WHERE user_name = ?", (name,)).rowcount
        finally:
            db.close()

    def user_for_token(self, token: str) -> User | None:
        """The user owning an API token, or None."""
        if not token.startswith(TOKEN_PREFIX) or not self.path.exists():
            return None
        db = self._db()
        try:
            row = db.execute(
                "SELECT user_name FROM tokens WHERE token_hash = ?", (hash_token(token),)
            ).fetchone()
        finally:
            db.close()
        return self.get(row[0]) if row else None


def _user(row: tuple[object, ...]) -> User:
    name, role, orgs, courses, actor_id, pii, created, source = row
    return User(
        name=str(name),
        role=str(role),
        orgs=list(orjson.loads(str(orgs))),
        courses=list(orjson.loads(str(courses))),
        actor_id=str(actor_id) if actor_id else None,
        pii=bool(pii),
        created_at=str(created),
        source=str(source),
    )
