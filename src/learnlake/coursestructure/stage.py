"""Registers course structure as a `learnlake run` stage, for its three kinds of datasource.

- `olx`: a Studio export tarball or a folder of them; a tarball whose size and mtime are unchanged
  since its last load is skipped.
- `openedx_course_structures`: the split modulestore. Published versions come from the LMS MySQL
  table (`url`) or Mongo's active_versions; structures from MongoDB (`mongodb_url`) or from recorded
  documents (`location`). A course whose published version is unchanged is skipped.
- `course_blocks_api`: the LMS REST API (`url`, default `site.lms_root_url`) with OAuth2 client
  credentials; a course whose rows are unchanged is not rewritten.

A course (or a whole source) that cannot be read is counted as quarantined with its reason, and the
others still load.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from learnlake.config import Settings
from learnlake.config.settings import DatasourceSettings
from learnlake.coursestructure.builder import CourseStructure
from learnlake.pipeline import Stage, register
from learnlake.state import RunCounters, StateStore

if TYPE_CHECKING:
    from learnlake.coursestructure.modulestore import ModulestoreDocuments
    from learnlake.coursestructure.rest import CourseBlocksClient

log = logging.getLogger(__name__)
CHECKPOINT_SCOPE = "course-structure-olx"
MODULESTORE_SCOPE = "course-structure-modulestore"
REST_SCOPE = "course-structure-rest"
STRUCTURE_TYPES = ("olx", "openedx_course_structures", "course_blocks_api")


def olx_tarballs(settings: Settings) -> list[Path]:
    """Every OLX tarball named by the configured `olx` datasources, in a stable order."""
    found: list[Path] = []
    for source in settings.extract.datasources:
        if source.type != "olx" or not source.location:
            continue
        location = Path(source.location)
        if location.is_dir():
            found.extend(sorted([*location.rglob("*.tar.gz"), *location.rglob("*.tgz")]))
        else:
            found.append(location)
    return found


class _Run:
    """One stage run: counters, failures and checkpoints shared by the three source kinds."""

    def __init__(self, settings: Settings, counters: RunCounters, store: StateStore) -> None:
        self.settings = settings
        self.counters = counters
        self.store = store
        self.failures: list[str] = []

    def fail(self, what: str, exc: BaseException) -> None:
        log.warning("course structure: %s: %s", what, exc)
        self.failures.append(f"{what}: {type(exc).__name__}: {exc}")
        self.counters.quarantined += 1

    def load(self, structure: CourseStructure) -> None:
        from learnlake.coursestructure.olx import write_course_structure

        write_course_structure(self.settings, structure)
        self.counters.rows_out += structure.course_blocks.num_rows

    def olx(self) -> None:
        from learnlake.coursestructure.olx import read_olx_course

        for tarball in olx_tarballs(self.settings):
            self.counters.rows_in += 1
            try:
                stat = tarball.stat()
                seen = [stat.st_size, stat.st_mtime_ns]
                if self.store.get_checkpoint(CHECKPOINT_SCOPE, str(tarball)) == seen:
                    continue
                self.load(read_olx_course(tarball))
            except Exception as exc:  # one bad export must not stop the others
                self.fail(tarball.name, exc)
                continue
            self.store.set_checkpoint(CHECKPOINT_SCOPE, str(tarball), seen)

    def modulestore(self, source: DatasourceSettings) -> None:
        from learnlake.coursestructure.modulestore import (
            mongo_course_versions,
            mysql_course_versions,
            read_modulestore_courses,
        )

        docs = modulestore_documents(source)
        try:
            if source.url:
                password = source.password.get_secret_value() if source.password else None
                versions = mysql_course_versions(source.url, password)
            else:
                versions = mongo_course_versions(docs)
            scope = f"{MODULESTORE_SCOPE}:{source.name}"
            todo = [
                v for v in versions if self.store.get_checkpoint(scope, v.course_key) != v.published_version
            ]
            self.counters.rows_in += len(versions)
            for version, result in read_modulestore_courses(docs, todo):
                if isinstance(result, Exception):
                    self.fail(f"{source.name}: {version.course_key}", result)
                    continue
                self.load(result)
                self.store.set_checkpoint(scope, version.course_key, version.published_version)
        finally:
            docs.close()

    def rest(self, source: DatasourceSettings) -> None:
        from learnlake.coursestructure.rest import read_rest_courses

        client = rest_client(self.settings, source)
        try:
            ids = source.courses or client.course_ids()
            self.counters.rows_in += len(ids)
            scope = f"{REST_SCOPE}:{source.name}"
            for course_id, result in read_rest_courses(client, ids):
                if isinstance(result, Exception):
                    self.fail(f"{source.name}: {course_id}", result)
                    continue
                digest = _digest(result)
                if self.store.get_checkpoint(scope, course_id) == digest:
                    continue
                self.load(result)
                self.store.set_checkpoint(scope, course_id, digest)
        finally:
            client.close()


def modulestore_documents(source: DatasourceSettings) -> ModulestoreDocuments:
    """The modulestore of an `openedx_course_structures` source: recorded documents or live MongoDB."""
    from learnlake.coursestructure.modulestore import MongoModulestore, RecordedModulestore

    if source.location:
        return RecordedModulestore(source.location)
    if not source.mongodb_url:
        raise ValueError(f"datasource {source.name}: set mongodb_url (or location of recorded documents)")
    password = source.mongodb_password.get_secret_value() if source.mongodb_password else None
    return MongoModulestore(source.mongodb_url, source.mongodb_database, password)


def rest_client(
    settings: Settings, source: DatasourceSettings, timeout_s: float = 30.0
) -> CourseBlocksClient:
    """The Course Blocks API client of a `course_blocks_api` source."""
    from learnlake.coursestructure.rest import CourseBlocksClient

    if not source.client_id or source.client_secret is None:
        raise ValueError(f"datasource {source.name}: set client_id and client_secret")
    return CourseBlocksClient(
        source.url or settings.site.lms_root_url,
        source.client_id,
        source.client_secret.get_secret_value(),
        timeout_s=timeout_s,
    )


def _digest(structure: CourseStructure) -> str:
    h = hashlib.sha256()
    for table in (structure.course_overviews, structure.course_blocks, structure.course_structures):
        for batch in table.to_batches():
            for column in batch.columns:
                h.update(repr(column.to_pylist()).encode())
    return h.hexdigest()


def _structure_sources(settings: Settings) -> Iterator[DatasourceSettings]:
    return (d for d in settings.extract.datasources if d.type in STRUCTURE_TYPES)


def run_stage(settings: Settings, counters: RunCounters) -> None:
    """Load every new or changed course of every course-structure datasource into the lake."""
    from learnlake.warehouse import open_warehouse

    store = StateStore(settings.state_dir)
    run = _Run(settings, counters, store)
    try:
        run.olx()
        for source in _structure_sources(settings):
            try:
                if source.type == "openedx_course_structures":
                    run.modulestore(source)
                elif source.type == "course_blocks_api":
                    run.rest(source)
            except Exception as exc:  # an unreachable source must not stop the others
                run.fail(source.name, exc)
        if run.counters.rows_out and "csv" in settings.lake.formats:
            from learnlake.coursestructure.panorama_csv import write_course_structures_csv

            write_course_structures_csv(settings)
    finally:
        store.close()
    if run.failures:
        counters.message = "; ".join(run.failures)[:2000]
    open_warehouse(settings).refresh()


register(
    Stage(
        name="course-structure",
        run=run_stage,
        enabled=lambda s: any(True for _ in _structure_sources(s)),
        inputs=lambda s: [d.location or d.url or d.mongodb_url or d.name for d in _structure_sources(s)],
    )
)
