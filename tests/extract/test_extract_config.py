"""`tables discover` / `tables fields` keep comments and edits for every datasource; Panorama defaults."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from learnlake.cli import app
from learnlake.config import load_settings
from learnlake.extract.plan import default_tables, panorama_tables

CONFIG = """\
# my settings
data_dir: data
extract:
  datasources:
    - name: first   # the first site
      type: sqlite
      url: "sqlite:///first.sqlite"
      tables:
        - name: auth_user  # hand-picked
          lake_name: users
          fields:
            - {name: id}
            - {name: retired_column, value: null}   # gone since Redwood
    - name: second
      type: sqlite
      url: "sqlite:///second.sqlite"
      tables:
        - name: student_courseenrollment
"""


def test_builtin_set_is_panoramas_29_tables_and_264_fields() -> None:
    assert len(panorama_tables()) == 29
    assert sum(len(t.fields) for t in panorama_tables()) == 264
    tables = default_tables()  # plus the external ids the xAPI actors come from
    assert [t.name for t in tables[29:]] == [
        "external_user_ids_externalidtype",
        "external_user_ids_externalid",
    ]
    module = next(t for t in tables if t.name == "courseware_studentmodule")
    assert module.partition_fields == ["course_id"] and module.interval == "2 hour"
    assert module.timestamp_field == "modified"
    user = next(t for t in tables if t.name == "auth_user")
    assert next(f for f in user.fields if f.name == "password").pii == "secret"
    profile = next(t for t in tables if t.name == "auth_userprofile")
    allow = next(f for f in profile.fields if f.name == "allow_certificate")
    assert "value" in allow.model_fields_set and allow.value is None


def test_discover_and_fields_keep_edits_for_every_datasource(tmp_path: Path, lms_sqlite: Path) -> None:
    shutil.copy(lms_sqlite, tmp_path / "first.sqlite")
    shutil.copy(lms_sqlite, tmp_path / "second.sqlite")
    path = tmp_path / "learnlake.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["--config", str(path), "tables", "discover", "--tables", "course_groups_*"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--config", str(path), "tables", "fields"])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    for comment in ("# my settings", "# the first site", "# hand-picked", "# gone since Redwood"):
        assert comment in text
    settings = load_settings(path)
    first, second = settings.extract.datasources
    user = first.tables[0]
    assert user.lake_name == "users"
    names = [f.name for f in user.fields]
    assert names[:2] == ["id", "retired_column"] and "email" in names and "password" in names
    assert next(f for f in user.fields if f.name == "password").pii == "secret"
    assert next(f for f in user.fields if f.name == "email").pii is True
    assert next(f for f in user.fields if f.name == "id").type.upper() == "INTEGER"
    # both datasources got the discovered tables (Panorama only updated the first)
    for ds in (first, second):
        assert "course_groups_cohortmembership" in [t.name for t in ds.tables]
    assert [f.name for f in second.tables[0].fields][:2] == ["id", "course_id"]
    # running both again changes nothing
    before = path.read_text(encoding="utf-8")
    runner.invoke(app, ["--config", str(path), "tables", "discover", "--tables", "course_groups_*"])
    runner.invoke(app, ["--config", str(path), "tables", "fields"])
    assert path.read_text(encoding="utf-8") == before
    # and the configuration extracts: the retired column is a constant NULL, the password never there
    result = runner.invoke(
        app, ["--config", str(path), "extract", "--datasource", "first", "--table", "auth_user"]
    )
    assert result.exit_code == 0, result.output
    import pyarrow.parquet as pq

    table = pq.read_table(next((tmp_path / "data" / "lake" / "openedx" / "users").rglob("*.parquet")))
    assert (
        "retired_column" in table.column_names and table.column("retired_column").null_count == table.num_rows
    )
    assert "password" not in table.column_names and "email" not in table.column_names


def test_missing_column_becomes_null_on_fields(tmp_path: Path, lms_sqlite: Path) -> None:
    shutil.copy(lms_sqlite, tmp_path / "first.sqlite")
    shutil.copy(lms_sqlite, tmp_path / "second.sqlite")
    path = tmp_path / "learnlake.yaml"
    path.write_text(
        CONFIG.replace("- {name: id}", "- {name: id}\n            - {name: renamed_away}"), "utf-8"
    )
    result = CliRunner().invoke(app, ["--config", str(path), "tables", "fields", "-d", "first"])
    assert result.exit_code == 0, result.output
    assert "renamed_away missing, now NULL" in result.output
    user = load_settings(path).extract.datasources[0].tables[0]
    gone = next(f for f in user.fields if f.name == "renamed_away")
    assert "value" in gone.model_fields_set and gone.value is None
