"""Lookups for a real site, read once per process from the lake and the settings.

- External ids: the LMS table `external_user_ids_externalid` (rows of the `xapi` type, found through
  `external_user_ids_externalidtype`) when it has been extracted; otherwise learnlake's own mapping
  (`actor_ids.ActorIdStore`), and for a learner in neither a new deterministic id, recorded there.
- Usernames (events that name the learner only by username) resolve to user ids through the
  extracted `auth_user`, so a learner has one id whichever way an event names them.
- Emails (`xapi.actor: mbox`, only with `privacy.pii`): `auth_user.email`; unknown learners get
  ERB's `unknown@example.com`.
- Course names: `course_overviews` (from OLX exports), then the extracted LMS table
  `course_overviews_courseoverview`, then `xapi.course_names` in the settings (`"*"` = default).
  A course none of them names keeps its parent activity without a name (ERB skips such events;
  `xapi.strict_courses: true` does the same).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from learnlake.xapi.actor_ids import ActorIdStore, stored_key
from learnlake.xapi.lookups import ActorAssigner, ActorMode

if TYPE_CHECKING:
    from learnlake.config import Settings
    from learnlake.lake.storage import LakeStorage

log = logging.getLogger(__name__)

EXTERNAL_IDS = "external_user_ids_externalid"
EXTERNAL_ID_TYPES = "external_user_ids_externalidtype"
AUTH_USER = "auth_user"
OLX_OVERVIEWS = "course_overviews"
LMS_OVERVIEWS = "course_overviews_courseoverview"


class PrivacyError(ValueError):
    """A setting asks for personal data while `privacy.pii` is off."""


@dataclass
class LakeLookups:
    """`Lookups` backed by dicts loaded from the lake; new assignments go to `store`."""

    lms_root_url: str
    assigner: ActorAssigner
    store: ActorIdStore | None = None
    actor_mode: ActorMode = "account"
    strict_courses: bool = False
    external_ids: dict[str, str] = field(default_factory=dict)  # user id → LMS external id (xapi)
    user_ids: dict[str, str] = field(default_factory=dict)  # username → user id
    emails: dict[str, str] = field(default_factory=dict)  # user id and username → email (pii only)
    course_names: dict[str, str] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)  # what was loaded, for logs and tests

    def _user(self, user: int | str) -> str:
        key = str(user)
        if key.isdigit():
            return key
        return self.user_ids.get(key, key)

    def external_id(self, user: int | str) -> str | None:
        """The LMS external id, else the stored assignment, else a new recorded assignment."""
        key = self._user(user)
        found = self.external_ids.get(key)
        if found is not None:
            return found
        if self.store is None:
            return self.assigner.assign(key)
        return self.store.get_or_record(key, self.assigner.assign)

    def email(self, user: int | str) -> str | None:
        """auth_user.email (loaded only in the mbox mode with privacy.pii)."""
        return self.emails.get(str(user)) or self.emails.get(self._user(user))

    def course_name(self, course_key: str) -> str | None:
        """Display name from course overviews or the settings; None when unknown."""
        found = self.course_names.get(course_key)
        if found is None:
            found = self.course_names.get("*")
        return found

    def flush(self) -> int:
        """Persist new assignments (see `ActorIdStore.flush`)."""
        return self.store.flush() if self.store is not None else 0


def read_lake_table(storage: LakeStorage, folder: str, columns: list[str]) -> pa.Table | None:
    """The wanted columns (those that exist) of every Parquet file below a folder; None if none."""
    import pyarrow.dataset as ds

    files = [
        f for f in storage.walk_files(folder) if f.endswith(".parquet") and "/." not in f and "/_" not in f
    ]
    if not files:
        return None
    dataset = ds.dataset(
        [storage.path(f) for f in files], format="parquet", filesystem=storage.arrow_fs, partitioning=None
    )
    present = [c for c in columns if c in dataset.schema.names]
    if not present:
        return None
    return dataset.to_table(columns=present)


def _latest_first(table: pa.Table) -> pa.Table:
    if "modified" in table.column_names:
        return table.sort_by([("modified", "descending")])
    return table


def _str_map(table: pa.Table, key: str, value: str) -> dict[str, str]:
    """{str(key): str(value)} over rows with both set; the first row per key wins."""
    out: dict[str, str] = {}
    for k, v in zip(table.column(key).to_pylist(), table.column(value).to_pylist(), strict=True):
        if k is None or v is None or v == "":
            continue
        out.setdefault(str(k), str(v))
    return out


def load_external_ids(storage: LakeStorage, prefix: str, host: str) -> dict[str, str] | None:
    """user id → external id of the `xapi` type, from the extracted LMS tables (None: not extracted)."""
    from learnlake.lake.layout import partition_path

    ids = read_lake_table(
        storage,
        partition_path(prefix, EXTERNAL_IDS, host, None),
        ["user_id", "external_user_id", "external_id_type_id", "modified"],
    )
    if ids is None or "user_id" not in ids.column_names or "external_user_id" not in ids.column_names:
        return None
    types = read_lake_table(storage, partition_path(prefix, EXTERNAL_ID_TYPES, host, None), ["id", "name"])
    if "external_id_type_id" in ids.column_names:
        if types is None or "name" not in types.column_names:
            log.warning(
                "xAPI actors: %s has no %s beside it: LMS external ids unused",
                EXTERNAL_IDS,
                EXTERNAL_ID_TYPES,
            )
            return None
        xapi_types = {
            str(i)
            for i, n in zip(types.column("id").to_pylist(), types.column("name").to_pylist(), strict=True)
            if n == "xapi"
        }
        keep = [str(t) in xapi_types for t in ids.column("external_id_type_id").to_pylist()]
        ids = ids.filter(pa.array(keep, pa.bool_()))
    return {
        user: _uuid_text(ext)
        for user, ext in _str_map(_latest_first(ids), "user_id", "external_user_id").items()
    }


def _uuid_text(value: str) -> str:
    """An external id as ERB writes it (`str(UUID)`): MySQL keeps Django UUIDs as 32 hex digits."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def load_course_names(storage: LakeStorage, prefix: str, host: str) -> dict[str, str]:
    """course key → display name: OLX overviews, overridden by the extracted LMS overviews."""
    from learnlake.lake.layout import partition_path

    names: dict[str, str] = {}
    olx = read_lake_table(
        storage, partition_path(prefix, OLX_OVERVIEWS, host, None), ["course_key", "display_name"]
    )
    if olx is not None and {"course_key", "display_name"} <= set(olx.column_names):
        names.update(_str_map(olx, "course_key", "display_name"))
    lms = read_lake_table(
        storage, partition_path(prefix, LMS_OVERVIEWS, host, None), ["id", "display_name", "modified"]
    )
    if lms is not None and {"id", "display_name"} <= set(lms.column_names):
        names.update(_str_map(_latest_first(lms), "id", "display_name"))
    return names


def lookups_from_settings(settings: Settings, *, with_store: bool = True) -> LakeLookups:
    """The lookups of the configured site (read once: call once per process and keep them).

    Raises `PrivacyError` for `xapi.actor: mbox` without `privacy.pii`.
    """
    from learnlake.lake.layout import partition_path
    from learnlake.lake.storage import LakeStorage

    pii = settings.privacy.pii
    mode: ActorMode = settings.xapi.actor
    if mode != "account" and not pii:
        raise PrivacyError(
            f"xapi.actor is {mode!r}, which puts learners' emails into statements, but privacy.pii "
            "is false: set privacy.pii: true to allow personal data, or use xapi.actor: account"
        )
    url = settings.site.lms_root_url.rstrip("/")
    host = settings.site.host
    prefix = settings.lake.prefix
    storage = LakeStorage(settings.lake_root, settings.lake.s3)
    out = LakeLookups(
        lms_root_url=url,
        assigner=ActorAssigner.for_site(url),
        actor_mode=mode,
        strict_courses=settings.xapi.strict_courses,
    )
    external = load_external_ids(storage, prefix, host)
    if external is not None:
        out.external_ids = external
        out.sources["lms_external_ids"] = len(external)
    users = read_lake_table(
        storage, partition_path(prefix, AUTH_USER, host, None), ["id", "username", "email", "date_joined"]
    )
    if users is not None and "id" in users.column_names:
        if "username" in users.column_names:
            out.user_ids = {name: uid for uid, name in _str_map(users, "id", "username").items()}
            out.sources["auth_user_usernames"] = len(out.user_ids)
        if mode != "account" and "email" in users.column_names:
            by_id = _str_map(users, "id", "email")
            out.emails = {**by_id, **{name: by_id[uid] for name, uid in out.user_ids.items() if uid in by_id}}
            out.sources["auth_user_emails"] = len(by_id)
    names = load_course_names(storage, prefix, host)
    out.sources["course_overviews"] = len(names)
    names.update(settings.xapi.course_names)
    out.course_names = names
    if with_store and mode == "account":
        store = ActorIdStore.open(storage, prefix, host, pii)
        out.store = store
        out.sources["assigned_ids"] = len(store.known)
    log.info("xAPI lookups for %s: %s", url, out.sources)
    return out


def export_rows(settings: Settings) -> tuple[list[dict[str, Any]], int]:
    """Assigned ids the LMS can load (user id known), and how many could not be exported.

    Learners known only by username get their user id from the extracted `auth_user`; without it
    (or, without privacy.pii, for hashed usernames) they are counted as not exportable.
    """
    lookups = lookups_from_settings(
        settings.model_copy(update={"xapi": settings.xapi.model_copy(update={"actor": "account"})})
    )
    assert lookups.store is not None
    rows: list[dict[str, Any]] = []
    missing = 0
    hashed = {stored_key(name, False): uid for name, uid in lookups.user_ids.items()}
    for row in lookups.store.rows():
        user_id = row["user_id"]
        if user_id is None:
            name = row["username"]
            resolved = lookups.user_ids.get(name) if name is not None else hashed.get(row["user_key"])
            user_id = int(resolved) if resolved is not None else None
        if user_id is None:
            missing += 1
            continue
        if str(user_id) in lookups.external_ids:  # the LMS has its own id now: nothing to load
            continue
        rows.append(
            {
                "user_id": user_id,
                "external_user_id": row["external_user_id"],
                "external_id_type": "xapi",
                "assigned_at": row["assigned_at"].isoformat() if row["assigned_at"] else None,
            }
        )
    rows.sort(key=lambda r: r["user_id"])
    return rows, missing
