"""Course structure from Open edX's split modulestore (MongoDB), live or from recorded documents.

Which structure is a course's published one comes from MySQL
`split_modulestore_django_splitmodulestorecourseindex` (Nutmeg and later) or, on older sites, Mongo's
`modulestore.active_versions`. The structure document (`modulestore.structures`) holds every block
with its settings fields and children; problem weights that are not set explicitly are counted from
the problem XML in `modulestore.definitions`, fetched in one batched query per course (Panorama does
one query per problem). Only the published branch is read; libraries are skipped.

`ModulestoreDocuments` is the small interface the reader needs: `MongoModulestore` implements it with
pymongo, `RecordedModulestore` with documents saved as MongoDB extended JSON (`bson.json_util`), so
the tests, which have no MongoDB server, run the same reading code on the real document shape.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from learnlake.coursestructure.builder import (
    COURSE_DATA_KEYS,
    CourseInfo,
    CourseStructure,
    Node,
    build_structure,
)
from learnlake.synth.capa import response_types_of
from learnlake.synth.olx import DEFAULT_NAMES, DEFAULT_START, parse_olx_time

SPLIT_INDEX_TABLE = "split_modulestore_django_splitmodulestorecourseindex"


@dataclass(frozen=True, slots=True)
class CourseVersion:
    """A course and the id of its published structure."""

    course_key: str
    published_version: str


class ModulestoreDocuments(Protocol):
    """The three modulestore collections, as far as the reader needs them."""

    def active_versions(self) -> Iterable[dict[str, Any]]:
        """`modulestore.active_versions` documents that have a published branch."""
        ...

    def structures(self, ids: list[str]) -> Iterable[dict[str, Any]]:
        """`modulestore.structures` documents with these ids (hex strings)."""
        ...

    def definitions(self, ids: list[str]) -> Iterable[dict[str, Any]]:
        """`modulestore.definitions` documents with these ids (hex strings)."""
        ...

    def close(self) -> None:
        """Release the connection, if any."""
        ...


class MongoModulestore:
    """The modulestore of a live MongoDB, through pymongo (reads prefer secondaries)."""

    def __init__(
        self, url: str, database: str = "edxapp", password: str | None = None, timeout_ms: int = 10_000
    ) -> None:
        import pymongo

        kwargs: dict[str, Any] = {"readPreference": "secondaryPreferred"}
        if "serverselectiontimeoutms" not in url.lower():  # options in the URL win
            kwargs["serverSelectionTimeoutMS"] = timeout_ms
        if password is not None:
            kwargs["password"] = password
        self.client: Any = pymongo.MongoClient(url, **kwargs)
        self.db = self.client[database]

    def ping(self) -> None:
        """Contact the server for real (pymongo connects lazily)."""
        self.client.admin.command("ping")

    def active_versions(self) -> Iterable[dict[str, Any]]:
        """Active versions with a published branch."""
        return self.db["modulestore.active_versions"].find({"versions.published-branch": {"$exists": True}})

    def structures(self, ids: list[str]) -> Iterable[dict[str, Any]]:
        """Structures by id."""
        return self.db["modulestore.structures"].find({"_id": {"$in": _object_ids(ids)}})

    def definitions(self, ids: list[str]) -> Iterable[dict[str, Any]]:
        """Definitions by id (only their data field)."""
        return self.db["modulestore.definitions"].find(
            {"_id": {"$in": _object_ids(ids)}}, {"fields.data": 1, "block_type": 1}
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


class RecordedModulestore:
    """Modulestore documents recorded as MongoDB extended JSON.

    The file holds `{"active_versions": [...], "structures": [...], "definitions": [...]}`; a folder
    holds any number of such files (`*.json`), merged.
    """

    def __init__(self, location: str | Path) -> None:
        from bson import json_util

        path = Path(location)
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        if not files:
            raise FileNotFoundError(f"no recorded modulestore documents (*.json) in {path}")
        self.collections: dict[str, list[dict[str, Any]]] = {
            "active_versions": [],
            "structures": [],
            "definitions": [],
        }
        options = json_util.JSONOptions(tz_aware=True, tzinfo=dt.UTC)
        for file in files:
            doc = json_util.loads(file.read_text(encoding="utf-8"), json_options=options)
            if not isinstance(doc, dict):
                raise ValueError(f"{file}: expected an object with modulestore collections")
            for name, docs in self.collections.items():
                docs.extend(doc.get(name) or [])

    def active_versions(self) -> Iterable[dict[str, Any]]:
        """Active versions with a published branch."""
        return [d for d in self.collections["active_versions"] if "published-branch" in d.get("versions", {})]

    def structures(self, ids: list[str]) -> Iterable[dict[str, Any]]:
        """Structures by id."""
        wanted = set(ids)
        return [d for d in self.collections["structures"] if str(d["_id"]) in wanted]

    def definitions(self, ids: list[str]) -> Iterable[dict[str, Any]]:
        """Definitions by id."""
        wanted = set(ids)
        return [d for d in self.collections["definitions"] if str(d["_id"]) in wanted]

    def close(self) -> None:
        """Nothing to release."""


def mongo_course_versions(docs: ModulestoreDocuments) -> list[CourseVersion]:
    """Published versions of every course from `modulestore.active_versions` (libraries skipped)."""
    out = []
    for doc in docs.active_versions():
        if doc.get("run") == "library" or not doc.get("run"):
            continue
        key = f"course-v1:{doc['org']}+{doc['course']}+{doc['run']}"
        out.append(CourseVersion(key, str(doc["versions"]["published-branch"])))
    return sorted(out, key=lambda v: v.course_key)


def mysql_course_versions(url: str, password: str | None = None) -> list[CourseVersion]:
    """Published versions of every course from the LMS table of the split modulestore index."""
    import sqlalchemy as sa

    engine = sa.create_engine(sqlalchemy_url(url, password))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    f"SELECT course_id, published_version FROM {SPLIT_INDEX_TABLE} "
                    "WHERE course_id LIKE 'course%' AND published_version IS NOT NULL "
                    "AND published_version <> '' ORDER BY course_id"
                )
            ).all()
    finally:
        engine.dispose()
    return [CourseVersion(str(course_id), str(version)) for course_id, version in rows]


def sqlalchemy_url(url: str, password: str | None = None) -> Any:
    """A SQLAlchemy URL from a plain mysql://, postgresql:// or sqlite:// one, with the password set."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.drivername == "mysql":
        parsed = parsed.set(drivername="mysql+pymysql")
    elif parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if password is not None:
        parsed = parsed.set(password=password)
    return parsed


def read_modulestore_courses(
    docs: ModulestoreDocuments, versions: Iterable[CourseVersion]
) -> Iterator[tuple[CourseVersion, CourseStructure | Exception]]:
    """Each course's structure, or the error that prevented reading it (the others still load).

    Structures are fetched one course at a time, so memory holds one course, not the whole site.
    """
    for version in versions:
        try:
            found = list(docs.structures([version.published_version]))
            if not found:
                raise LookupError(f"structure {version.published_version} not found in modulestore")
            yield version, structure_from_documents(docs, version.course_key, found[0])
        except Exception as exc:  # one broken course must not stop the others
            yield version, exc


def structure_from_documents(
    docs: ModulestoreDocuments, course_key: str, structure: dict[str, Any]
) -> CourseStructure:
    """Build one course's tables from its structure document (and its problems' definitions)."""
    blocks = {(b["block_type"], b["block_id"]): b for b in structure.get("blocks", [])}
    root_ref = tuple(structure.get("root") or ("course", "course"))
    if root_ref not in blocks:
        raise ValueError(f"structure {structure.get('_id')}: root block {root_ref} missing")
    unweighted = [
        str(b["definition"])
        for b in blocks.values()
        if b["block_type"] == "problem" and b.get("fields", {}).get("weight") is None and b.get("definition")
    ]
    responses = (
        {str(d["_id"]): _response_count(d) for d in docs.definitions(unweighted)} if unweighted else {}
    )

    def node(ref: tuple[str, str], seen: frozenset[tuple[str, str]]) -> Node:
        block = blocks[ref]
        fields = block.get("fields") or {}
        children = [
            node(child, seen | {ref})
            for child in (tuple(c) for c in fields.get("children") or [])
            if child in blocks and child not in seen  # a dangling or cyclic child is not a block
        ]
        weight = fields.get("weight")
        return Node(
            block_type=ref[0],
            block_id=ref[1],
            display_name=fields.get("display_name") or DEFAULT_NAMES.get(ref[0], ref[0]),
            children=children,
            graded=bool(fields.get("graded", False)),
            weight=float(weight) if weight is not None else None,
            response_count=responses.get(str(block.get("definition"))) if ref[0] == "problem" else None,
        )

    root = node(root_ref, frozenset())
    fields = blocks[root_ref].get("fields") or {}
    info = CourseInfo(
        course_key=course_key,
        display_name=fields.get("display_name") or DEFAULT_NAMES["course"],
        start=_time(fields.get("start")) or DEFAULT_START,
        end=_time(fields.get("end")),
        enrollment_start=_time(fields.get("enrollment_start")),
        enrollment_end=_time(fields.get("enrollment_end")),
        self_paced=bool(fields.get("self_paced", False)),
        course_data={k: fields.get(k) for k in COURSE_DATA_KEYS},
        modified=_time(structure.get("edited_on")),
    )
    return build_structure(info, root)


def _response_count(definition: dict[str, Any]) -> int | None:
    data = (definition.get("fields") or {}).get("data")
    if not isinstance(data, str) or not data.strip():
        return None
    try:
        return len(response_types_of(ET.fromstring(data)))
    except ET.ParseError:
        return None


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return parse_olx_time(value)


def _object_ids(ids: list[str]) -> list[Any]:
    from bson import ObjectId

    return [ObjectId(i) if ObjectId.is_valid(i) else i for i in ids]
