"""learnlake's own actor mapping: the external ids it assigned, kept in the lake.

Learners without an `xapi` row in the LMS table `external_user_ids_externalid` get an id from
`ActorAssigner` (UUIDv5 of the site and the learner). Each assignment is stored once in the lake
table `<prefix>/xapi_actor_ids/lms=<host>/*.parquet`, next to the statements that carry it, so:

- a learner keeps the same id even if the derivation changes later (a stored id always wins);
- the mapping moves with the lake (local folder or S3) and any engine can read it;
- `learnlake xapi export-actors` turns it into rows the LMS can load into
  `external_user_ids_externalid`, after which the LMS and learnlake agree.

Privacy: a row holds the LMS user id (pseudonymous) and the assigned id. A learner known only by
username is stored under the SHA-256 of the username unless `privacy.pii` is on (then the username
itself, so the export can name it). No email or name is ever stored here.

Files are append-only (one per flush, written atomically); readers keep the earliest assignment
per learner, so concurrent writers and an interrupted merge never change an id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    from learnlake.lake.storage import LakeStorage

TABLE = "xapi_actor_ids"
DERIVATION = "uuid5-site-v1"  # ActorAssigner's rule; recorded so a later rule can tell rows apart
MERGE_AT_FILES = 16  # more files than this in the partition: merged into one on load
SCHEMA = pa.schema(
    [
        ("user_key", pa.string()),  # "<user id>", "username:<name>" (pii) or "username-sha256:<hex>"
        ("user_id", pa.int64()),
        ("username", pa.string()),  # only with privacy.pii
        ("external_user_id", pa.string()),
        ("external_id_type", pa.string()),  # always "xapi"
        ("derivation", pa.string()),
        ("assigned_at", pa.timestamp("us", tz="UTC")),
    ]
)


def stored_key(user: int | str, pii: bool) -> str:
    """The key a learner is stored under: the user id, else the username (hashed without pii)."""
    key = str(user)
    if key.isdigit():
        return str(int(key))
    if pii:
        return f"username:{key}"
    return "username-sha256:" + hashlib.sha256(key.encode()).hexdigest()


@dataclass
class ActorIdStore:
    """The assigned ids of one site, read from and appended to the lake table."""

    storage: LakeStorage
    folder: str  # <prefix>/xapi_actor_ids/lms=<host>
    pii: bool = False
    known: dict[str, str] = field(default_factory=dict)  # stored key → external id
    pending: dict[str, tuple[int | None, str | None, str]] = field(default_factory=dict)

    @classmethod
    def open(cls, storage: LakeStorage, prefix: str, lms_host: str, pii: bool) -> ActorIdStore:
        """The store of one site, with every stored assignment loaded (and small files merged)."""
        from learnlake.lake.layout import partition_path

        store = cls(storage, partition_path(prefix, TABLE, lms_host, None), pii)
        store.load()
        return store

    def load(self) -> None:
        """Read every stored assignment; the earliest per learner wins."""
        files = self.storage.list_files(self.folder)
        table = self._read(files)
        self.known = {}
        if table.num_rows:
            order = table.sort_by([("assigned_at", "ascending"), ("external_user_id", "ascending")])
            for key, ext in zip(
                order.column("user_key").to_pylist(),
                order.column("external_user_id").to_pylist(),
                strict=True,
            ):
                if key is not None and ext is not None and key not in self.known:
                    self.known[key] = ext
        if len(files) > MERGE_AT_FILES:
            self._merge(files, table)

    def _read(self, files: list[str]) -> pa.Table:
        tables = []
        for name in files:
            try:
                tables.append(self.storage.read_table(f"{self.folder}/{name}").select(SCHEMA.names))
            except FileNotFoundError:  # merged away by another process meanwhile
                continue
        if not tables:
            return SCHEMA.empty_table()
        return pa.concat_tables([t.cast(SCHEMA) for t in tables])

    def _merge(self, files: list[str], table: pa.Table) -> None:
        """Replace many small files by one (written first, so a crash in between only duplicates)."""
        self.storage.write_atomic(table, f"{self.folder}/{_file_name('merged')}")
        for name in files:
            self.storage.delete(f"{self.folder}/{name}")

    def get_or_record(self, user: int | str, assign: Callable[[int | str], str]) -> str:
        """The stored (or pending) id of a learner, else `assign(user)`, remembered until `flush`."""
        key = stored_key(user, self.pii)
        found = self.known.get(key)
        if found is not None:
            return found
        pending = self.pending.get(key)
        if pending is not None:
            return pending[2]
        found = assign(user)
        text = str(user)
        user_id = int(text) if text.isdigit() and len(text) < 19 else None
        username = text if user_id is None and self.pii else None
        self.pending[key] = (user_id, username, found)
        return found

    def flush(self) -> int:
        """Write pending assignments as one new file; returns how many."""
        if not self.pending:
            return 0
        items = list(self.pending.items())
        now = dt.datetime.now(dt.UTC)
        table = pa.Table.from_pydict(
            {
                "user_key": [k for k, _ in items],
                "user_id": [v[1][0] for v in items],
                "username": [v[1][1] for v in items],
                "external_user_id": [v[1][2] for v in items],
                "external_id_type": ["xapi"] * len(items),
                "derivation": [DERIVATION] * len(items),
                "assigned_at": [now] * len(items),
            },
            schema=SCHEMA,
        )
        self.storage.write_atomic(table, f"{self.folder}/{_file_name('assigned')}")
        for key, (_uid, _name, ext) in items:
            self.known[key] = ext
        self.pending.clear()
        return len(items)

    def rows(self) -> list[dict[str, Any]]:
        """Every stored assignment (one per learner, earliest first) as dicts."""
        table = self._read(self.storage.list_files(self.folder))
        seen: set[str] = set()
        out = []
        for row in table.sort_by(
            [("assigned_at", "ascending"), ("external_user_id", "ascending")]
        ).to_pylist():
            if row["user_key"] in seen:
                continue
            seen.add(row["user_key"])
            out.append(row)
        return out


def _file_name(kind: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{kind}-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"
