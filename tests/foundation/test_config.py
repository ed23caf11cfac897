"""Settings: YAML + environment overrides, errors naming file/line/key, Panorama files, docs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from learnlake.config import ConfigError, load_settings
from learnlake.config.docs import README_BEGIN, README_END, default_yaml, reference_markdown

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "learnlake.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, env={})
    assert settings.warehouse.engine == "duckdb"
    assert settings.privacy.pii is False
    assert settings.data_dir == tmp_path / "learnlake-data"
    assert settings.duckdb_path == tmp_path / "learnlake-data" / "warehouse.duckdb"
    assert settings.site.host == "localhost"


def test_file_values_and_relative_paths(tmp_path: Path) -> None:
    text = "data_dir: mydata\nsite:\n  lms_root_url: https://courses.example.org\n"
    text += "tracking_logs:\n  paths: [logs, /var/log/tracking, 's3://bucket/logs']\n"
    path = write(tmp_path, text)
    settings = load_settings(path, env={})
    assert settings.data_dir == tmp_path / "mydata"
    assert settings.tracking_logs.paths == [str(tmp_path / "logs"), "/var/log/tracking", "s3://bucket/logs"]
    assert settings.site.host == "courses.example.org"


def test_unknown_key_names_file_line_and_key(tmp_path: Path) -> None:
    text = "site:\n  lms_root_url: http://x\nwarehouse:\n  engine: duckdb\n  duckdb_pth: x.db\n"
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    message = str(info.value)
    assert message == f"{path}:5: warehouse.duckdb_pth: unknown key (did you mean 'duckdb_path'?)"


def test_wrong_type_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "models:\n  at_risk_days: soon\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    message = str(info.value)
    assert message.startswith(f"{path}:2: models.at_risk_days: ")
    assert "integer" in message and "\n" not in message


def test_invalid_choice(tmp_path: Path) -> None:
    path = write(tmp_path, "# comment\n\nwarehouse:\n  engine: postgres\n")
    with pytest.raises(ConfigError, match=r":4: warehouse\.engine: Input should be 'duckdb' or 'clickhouse'"):
        load_settings(path, env={})


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "site:\n  lms_root_url: [unclosed\n")
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: invalid YAML"):
        load_settings(path, env={})


def test_environment_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "models:\n  at_risk_days: 7\n")
    env = {
        "LEARNLAKE_MODELS__AT_RISK_DAYS": "14",
        "LEARNLAKE_PRIVACY__PII": "true",
        "LEARNLAKE_LAKE__S3__REGION": "eu-west-3",
        "LEARNLAKE_TRACKING_LOGS__PATHS": "[/var/log/a, s3://b/logs]",
        "LEARNLAKE_DATA_DIR": "/srv/learnlake",
        "LEARNLAKE_CONFIG": "ignored-here",
        "UNRELATED": "x",
    }
    settings = load_settings(path, env=env)
    assert settings.models.at_risk_days == 14
    assert settings.privacy.pii is True
    assert settings.lake.s3.region == "eu-west-3"
    assert settings.tracking_logs.paths == ["/var/log/a", "s3://b/logs"]
    assert settings.data_dir == Path("/srv/learnlake")


def test_environment_error_names_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^environment LEARNLAKE_SERVE__PORT: serve\.port: "):
        load_settings(write(tmp_path, ""), env={"LEARNLAKE_SERVE__PORT": "eighty"})
    with pytest.raises(ConfigError, match=r"^environment LEARNLAKE_SERVE__PROT: serve\.prot: unknown key"):
        load_settings(write(tmp_path, ""), env={"LEARNLAKE_SERVE__PROT": "80"})


def test_secret_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    settings = load_settings(
        write(tmp_path, ""), env={"LEARNLAKE_WAREHOUSE__CLICKHOUSE__PASSWORD_FILE": str(secret)}
    )
    password = settings.warehouse.clickhouse.password
    assert password is not None and password.get_secret_value() == "s3cr3t"
    assert "s3cr3t" not in repr(settings)


def test_default_yaml_is_valid_and_complete(tmp_path: Path) -> None:
    text = default_yaml()
    settings = load_settings(write(tmp_path, text), env={})
    assert settings.warehouse.engine == "duckdb"
    for key in ("data_dir:", "lms_root_url:", "pii:", "engine:", "at_risk_days:", "datasources:"):
        assert key in text
    # every key line is preceded by its description as a comment
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            assert lines[i - 1].lstrip().startswith("#"), line


def test_readme_reference_is_generated_from_the_model() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(README_BEGIN) + len(README_BEGIN) : readme.index(README_END)]
    assert block.strip() == reference_markdown().strip(), "run `make docs` to regenerate the README reference"


PANORAMA = """\
datalake:
  type: aws
  panorama_raw_data_bucket: my-panorama-bucket
  base_prefix: openedx
  aws_access_key: AKIAEXAMPLE
  aws_secret_access_key: secretexample
  aws_region: eu-west-1
  datalake_database: panorama
  datalake_workgroup: panorama
  base_partitions:
    - name: lms
      type: varchar
      value: courses.example.org
datasources:
  - name: openedx
    type: mysql
    mysql_host: mysql.internal
    mysql_port: 3307
    mysql_username: panorama
    mysql_password: dbpass
    mysql_database: edxapp
    tables:
      - name: auth_user
        fields:
          - name: id
            type: int
          - name: username
            type: varchar
      - name: courseware_studentmodule
        partitions:
          partition_fields: [course_id]
          timestamp_field: modified
          interval: 2 hour
      - name: auth_userprofile
        fields:
          - name: allow_certificate
            type: tinyint
            value: null
"""


def test_reads_panorama_settings_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, PANORAMA, "panorama_openedx_settings.yaml"), env={})
    assert settings.lake_root == "s3://my-panorama-bucket"
    assert settings.lake.prefix == "openedx"
    assert settings.lake.s3.region == "eu-west-1"
    assert settings.lake.s3.access_key_id == "AKIAEXAMPLE"
    assert settings.lake.athena.database == "panorama" and settings.lake.athena.workgroup == "panorama"
    assert settings.site.host == "courses.example.org"
    (source,) = settings.extract.datasources
    assert source.type == "mysql" and source.url == "mysql://panorama@mysql.internal:3307/edxapp"
    assert source.password is not None and source.password.get_secret_value() == "dbpass"
    names = [t.name for t in source.tables]
    assert names == ["auth_user", "courseware_studentmodule", "auth_userprofile"]
    studentmodule = source.tables[1]
    assert studentmodule.partition_fields == ["course_id"]
    assert studentmodule.timestamp_field == "modified" and studentmodule.interval == "2 hour"
    null_field = source.tables[2].fields[0]
    assert null_field.name == "allow_certificate" and "value" in null_field.model_fields_set


def test_panorama_file_without_bucket_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "datalake:\n  base_prefix: x\n")
    with pytest.raises(ConfigError, match="panorama_raw_data_bucket"):
        load_settings(path, env={})


def test_cli_config_error_exits_2_with_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "warehouse:\n  engine: duckdb\n  duckdb_pth: x\n")
    proc = subprocess.run(
        [sys.executable, "-m", "learnlake", "--config", str(path), "config", "check"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert f"{path}:3: warehouse.duckdb_pth: unknown key" in lines[0]
