"""Lookups from the lake: LMS external ids, learnlake's own actor mapping, emails, course names.

The lake is written the way the extract and OLX stages write it (Parquet under
`<prefix>/<table>/lms=<host>/`); the tests then read it back through the real code paths.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner
from xapi_helpers import load_raw

from learnlake.config import Settings
from learnlake.ingest.xapi_bridge import load_transformer
from learnlake.xapi import ActorAssigner, transform_event
from learnlake.xapi.actor_ids import TABLE
from learnlake.xapi.lake_lookups import PrivacyError, export_rows, lookups_from_settings

HOST = "lms.example.com"
COURSE = "course-v1:edX+DemoX+Demo_Course"
OTHER_COURSE = "course-v1:edX+Other+2026"


def settings_for(tmp_path: Path, **xapi: Any) -> Settings:
    pii = bool(xapi.pop("pii", False))
    return Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "site": {"lms_root_url": f"https://{HOST}"},
            "privacy": {"pii": pii},
            "xapi": xapi,
        }
    )


def write_table(settings: Settings, table: str, rows: dict[str, list[Any]], name: str = "part-0") -> None:
    folder = Path(settings.lake_root) / settings.lake.prefix / table / f"lms={HOST}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(rows), folder / f"{name}.parquet")


def extracted_lms(settings: Settings) -> None:
    """The LMS tables as extracted: learner 3 has an xapi id, learner 5 only an lti id."""
    write_table(settings, "external_user_ids_externalidtype", {"id": [2, 4], "name": ["lti", "xapi"]})
    write_table(
        settings,
        "external_user_ids_externalid",
        {
            "id": [1, 2, 3],
            "external_user_id": ["lms-xapi-id-of-3", "lms-lti-id-of-5", "7a3e0b3c9b2f4a1e8d6c5b4a39281706"],
            "external_id_type_id": [4, 2, 4],
            "user_id": [3, 5, 6],
        },
    )
    write_table(
        settings,
        "auth_user",
        {"id": [3, 5, 7], "username": ["edx", "five", "seven"], "email": ["e@x.org", "f@x.org", "s@x.org"]},
    )


def actor_name(event: dict[str, Any], lookups: Any) -> str:
    return str(transform_event(event, lookups)[0]["actor"]["account"]["name"])


def mapping_table(settings: Settings) -> pa.Table:
    folder = Path(settings.lake_root) / settings.lake.prefix / TABLE / f"lms={HOST}"
    return pa.concat_tables(pq.read_table(p) for p in sorted(folder.glob("*.parquet")))


def play_video_of(user_id: int | None = None, username: str | None = None) -> dict[str, Any]:
    event = load_raw("play_video")
    del event["context"]["user_id"]
    event["context"].pop("username", None)
    if user_id is not None:
        event["context"]["user_id"] = user_id
    if username is not None:
        event["context"]["username"] = username
    return event


def test_lms_external_id_wins_and_others_get_stored_assignments(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    extracted_lms(settings)
    lookups = lookups_from_settings(settings)
    assert actor_name(play_video_of(3), lookups) == "lms-xapi-id-of-3"  # the LMS's xapi id
    # MySQL stores Django's UUIDs as 32 hex digits; ERB writes str(UUID)
    assert actor_name(play_video_of(6), lookups) == "7a3e0b3c-9b2f-4a1e-8d6c-5b4a39281706"
    five = actor_name(play_video_of(5), lookups)  # an lti id is not an xapi id: assigned
    assert five == ActorAssigner.for_site(f"https://{HOST}").assign(5)
    assert actor_name(play_video_of(username="seven"), lookups) == actor_name(play_video_of(7), lookups)
    assert lookups.flush() == 2  # learners 5 and 7 (the username resolved to 7 through auth_user)
    assert lookups.flush() == 0
    table = mapping_table(settings)
    assert sorted(table.column("user_id").to_pylist()) == [5, 7]
    assert set(table.column("external_id_type").to_pylist()) == {"xapi"}


def test_stored_id_survives_a_change_of_derivation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path)
    first = lookups_from_settings(settings)
    original = actor_name(play_video_of(42), first)
    first.flush()
    monkeypatch.setattr(ActorAssigner, "assign", lambda self, user: f"new-rule-{user}")
    again = lookups_from_settings(settings)
    assert actor_name(play_video_of(42), again) == original  # stored: the new rule is not used
    assert actor_name(play_video_of(43), again) == "new-rule-43"  # a new learner gets the new rule


def test_many_flushes_are_merged_and_keep_the_first_id(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    ids = {}
    lookups = lookups_from_settings(settings)
    for user in range(20):  # one file per flush
        ids[user] = lookups.external_id(user)
        lookups.flush()
    folder = Path(settings.lake_root) / settings.lake.prefix / TABLE / f"lms={HOST}"
    assert len(list(folder.glob("*.parquet"))) > 16
    merged = lookups_from_settings(settings)  # loading merges the small files
    assert len(list(folder.glob("*.parquet"))) == 1
    assert {u: merged.external_id(u) for u in range(20)} == ids


def test_personal_data_in_the_mapping_without_pii(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    extracted_lms(settings)
    lookups = lookups_from_settings(settings)
    actor_name(play_video_of(username="ghost"), lookups)  # not in auth_user: known only by username
    actor_name(play_video_of(9), lookups)
    lookups.flush()
    table = mapping_table(settings)
    assert table.column("username").to_pylist() == [None, None]
    keys = set(table.column("user_key").to_pylist())
    assert keys == {"9", "username-sha256:" + hashlib.sha256(b"ghost").hexdigest()}
    text = json.dumps(table.to_pylist(), default=str)
    for personal in ("ghost", "@", "e@x.org"):
        assert personal not in text
    assert lookups.emails == {}  # emails are not even loaded in the account mode


def test_personal_data_in_the_mapping_with_pii(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, pii=True)
    lookups = lookups_from_settings(settings)
    actor_name(play_video_of(username="ghost"), lookups)
    lookups.flush()
    row = mapping_table(settings).to_pylist()[0]
    assert (row["user_key"], row["username"], row["user_id"]) == ("username:ghost", "ghost", None)
    assert "@" not in json.dumps(row, default=str)  # never an email


def test_mbox_needs_pii(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"privacy\.pii"):
        settings_for(tmp_path, actor="mbox")
    unchecked = settings_for(tmp_path).model_copy(
        update={"xapi": settings_for(tmp_path).xapi.model_copy(update={"actor": "mbox"})}
    )
    with pytest.raises(PrivacyError, match=r"privacy\.pii"):
        lookups_from_settings(unchecked)


def test_mbox_with_pii_uses_auth_user_emails(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, actor="mbox", pii=True)
    extracted_lms(settings)
    lookups = lookups_from_settings(settings)
    assert lookups.store is None  # nothing is assigned in the mbox mode
    first = transform_event(play_video_of(3), lookups)[0]["actor"]
    assert first == {"objectType": "Agent", "mbox": "mailto:e@x.org"}
    by_name = transform_event(play_video_of(username="seven"), lookups)[0]["actor"]
    assert by_name["mbox"] == "mailto:s@x.org"
    unknown = transform_event(play_video_of(99), lookups)[0]["actor"]
    assert unknown["mbox"] == "mailto:unknown@example.com"  # ERB's address for unknown learners


def test_course_names_from_overviews_and_settings(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, course_names={"course-v1:edX+Configured+1": "Configured"})
    write_table(
        settings, "course_overviews", {"course_key": [COURSE, OTHER_COURSE], "display_name": ["OLX", "B"]}
    )
    write_table(settings, "course_overviews_courseoverview", {"id": [COURSE], "display_name": ["From LMS"]})
    lookups = lookups_from_settings(settings)
    assert lookups.course_name(COURSE) == "From LMS"  # the LMS table wins over the OLX export
    assert lookups.course_name(OTHER_COURSE) == "B"
    assert lookups.course_name("course-v1:edX+Configured+1") == "Configured"
    assert lookups.course_name("course-v1:edX+Unknown+1") is None
    statement = transform_event(play_video_of(3), lookups)[0]
    assert statement["context"]["contextActivities"]["parent"][0]["definition"]["name"] == {
        "en-US": "From LMS"
    }
    event = play_video_of(3)
    event["context"]["course_id"] = "course-v1:edX+Unknown+1"
    parent = transform_event(event, lookups)[0]["context"]["contextActivities"]["parent"][0]
    assert "name" not in parent["definition"]  # unknown course: no name (default)
    strict = lookups_from_settings(settings_for(tmp_path, strict_courses=True))
    outcome = load_transformer(settings_for(tmp_path, strict_courses=True))
    assert outcome is not None and strict.strict_courses
    _statements, kind, info = outcome.transform(event)
    assert kind == "rejected" and info is not None and "unknown_course" in info  # ERB skips it


def test_ingest_bridge_loads_lookups_and_saves_assignments(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, course_names={"*": "Any course"})
    extracted_lms(settings)
    transformer = load_transformer(settings)
    assert transformer is not None
    statements, kind, _ = transformer.transform(play_video_of(3))
    assert kind is None and statements[0]["actor"]["account"]["name"] == "lms-xapi-id-of-3"
    parent = statements[0]["context"]["contextActivities"]["parent"][0]
    assert parent["definition"]["name"] == {"en-US": "Any course"}
    statements, kind, _ = transformer.transform(play_video_of(11))
    assert transformer.flush() == 1
    assert mapping_table(settings).column("external_user_id").to_pylist() == [
        statements[0]["actor"]["account"]["name"]
    ]


def test_export_actors(tmp_path: Path) -> None:
    from learnlake.cli import app

    settings = settings_for(tmp_path)
    extracted_lms(settings)
    lookups = lookups_from_settings(settings)
    for user in (5, 12):
        lookups.external_id(user)
    lookups.external_id(3)  # the LMS has it: not exported
    lookups.external_id("ghost")  # username only, not in auth_user: cannot be exported
    lookups.flush()
    rows, missing = export_rows(settings)
    assert [r["user_id"] for r in rows] == [5, 12] and missing == 1
    config = tmp_path / "learnlake.yaml"
    config.write_text(f"data_dir: {tmp_path}\nsite:\n  lms_root_url: https://{HOST}\n")
    runner = CliRunner()
    result = runner.invoke(app, ["--config", str(config), "xapi", "export-actors"])
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["user_id"], r["external_id_type"]) for r in parsed] == [("5", "xapi"), ("12", "xapi")]
    assert parsed[0]["external_user_id"] == lookups.external_id(5)
    result = runner.invoke(app, ["--config", str(config), "xapi", "export-actors", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"5": lookups.external_id(5), "12": lookups.external_id(12)}
    result = runner.invoke(app, ["--config", str(config), "xapi", "export-actors", "--format", "xml"])
    assert result.exit_code == 2
