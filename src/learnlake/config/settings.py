"""The settings model: every key learnlake reads, its type, default and meaning.

The descriptions here are the documentation: `learnlake init` writes them as comments and the
README's configuration reference is generated from them, so neither can drift from the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class Section(BaseModel):
    """Base for every settings section: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class SiteSettings(Section):
    """The Open edX site this installation analyses."""

    lms_root_url: str = Field(
        "http://localhost:18000",
        description="LMS root URL; xAPI actors and object ids are built from it.",
    )
    lms_host: str | None = Field(
        None,
        description="Value of the lms=<host> lake partition; defaults to the host of lms_root_url.",
    )

    @property
    def host(self) -> str:
        """The lms partition value."""
        return self.lms_host or (urlparse(self.lms_root_url).hostname or "lms")


class PrivacySettings(Section):
    """What personal data may be stored."""

    pii: bool = Field(
        False,
        description="Store personal data (names, emails, usernames, profile fields). Off by default.",
    )


class S3Settings(Section):
    """Object storage used when lake.root is an s3:// URL."""

    endpoint_url: str | None = Field(
        None, description="S3-compatible endpoint (MinIO, Ceph...); empty for AWS."
    )
    region: str = Field("us-east-1", description="Region for S3 and Athena.")
    access_key_id: str | None = Field(
        None, description="Access key; empty uses the default credential chain (env, instance role)."
    )
    secret_access_key: SecretStr | None = Field(None, description="Secret key (or *_FILE variable).")


class AthenaSettings(Section):
    """Optional Athena/Glue catalog over the lake."""

    database: str | None = Field(None, description="Glue/Athena database; empty disables the catalog.")
    workgroup: str | None = Field(None, description="Athena workgroup.")


class LakeSettings(Section):
    """Where the open data lake lives and in which formats."""

    root: str | None = Field(
        None, description="Local folder or s3://bucket[/path]; defaults to <data_dir>/lake."
    )
    prefix: str = Field("openedx", description="First folder below the root (Panorama's base_prefix).")
    formats: list[Literal["parquet", "csv"]] = Field(
        default_factory=lambda: list[Literal["parquet", "csv"]](["parquet"]),
        description="Files written for extracted tables: parquet, and Panorama-compatible csv.",
    )
    s3: S3Settings = Field(default_factory=S3Settings)
    athena: AthenaSettings = Field(default_factory=AthenaSettings)


class ClickHouseSettings(Section):
    """Connection to a ClickHouse server when warehouse.engine is clickhouse."""

    url: str = Field("http://127.0.0.1:8123", description="ClickHouse HTTP URL.")
    database: str = Field("learnlake", description="Database for learnlake's tables.")
    username: str = Field("default", description="User name.")
    password: SecretStr | None = Field(None, description="Password (or *_FILE variable).")


class WarehouseSettings(Section):
    """The query engine the models and dashboards run on."""

    engine: Literal["duckdb", "clickhouse"] = Field(
        "duckdb", description="duckdb (embedded, default) or clickhouse."
    )
    duckdb_path: Path | None = Field(
        None, description="DuckDB file; defaults to <data_dir>/warehouse.duckdb."
    )
    clickhouse: ClickHouseSettings = Field(default_factory=ClickHouseSettings)


class TrackingLogSettings(Section):
    """Tracking-log sources read by `learnlake ingest tracking-logs` and `learnlake run`."""

    paths: list[str] = Field(
        default_factory=list,
        description="Files, folders or s3:// prefixes holding tracking logs.",
    )
    glob: str = Field("tracking.log*", description="File name pattern inside folders.")
    batch_rows: int = Field(50_000, ge=1, description="Events per batch (memory stays bounded by it).")


class FieldSettings(Section):
    """One column of an extracted table (Panorama's fields[] entry)."""

    name: str = Field(description="Column name.")
    type: str = Field("varchar", description="Source SQL type name.")
    value: Any = Field(None, description="Constant replacing the column (null: the column is NULL), if set.")
    pii: bool = Field(False, description="Personal data: extracted only when privacy.pii is true.")


class TableSettings(Section):
    """One table to extract from a datasource."""

    name: str = Field(description="Source table name.")
    lake_name: str | None = Field(None, description="Name in the lake; defaults to the source name.")
    partition_fields: list[str] = Field(
        default_factory=list, description="Columns that become field=value partitions."
    )
    timestamp_field: str | None = Field(None, description="Modification time column for increments.")
    interval: str | None = Field(None, description="Panorama incremental interval, e.g. '2 hour'.")
    fields: list[FieldSettings] = Field(
        default_factory=list, description="Columns; empty means every column the source has."
    )


class DatasourceSettings(Section):
    """A database or course-structure source to extract."""

    name: str = Field(description="Name used by --datasource.")
    type: Literal["mysql", "postgresql", "sqlite", "openedx_course_structures", "olx", "csv"] = Field(
        "mysql", description="Kind of source."
    )
    url: str | None = Field(
        None, description="SQLAlchemy-style URL, e.g. mysql://user@host:3306/edxapp (no password)."
    )
    password: SecretStr | None = Field(None, description="Password (or *_FILE variable).")
    location: str | None = Field(None, description="File or folder for olx/csv sources.")
    tables: list[TableSettings] = Field(
        default_factory=list, description="Tables; empty means the built-in Open edX set."
    )


class ExtractSettings(Section):
    """LMS database and course-structure extraction."""

    datasources: list[DatasourceSettings] = Field(
        default_factory=list, description="Sources, extracted in order."
    )


class XapiSettings(Section):
    """Tracking event to xAPI statement transformation."""

    actor: Literal["account", "mbox"] = Field(
        "account",
        description="account: LMS external id (default); mbox: email, needs privacy.pii.",
    )


class ModelSettings(Section):
    """Parameters of the metric models."""

    at_risk_days: int = Field(7, ge=1, description="At-risk: failing and no visit for more than N days.")
    active_days: int = Field(7, ge=1, description="Active: visited within N days.")


class ServeSettings(Section):
    """The web server (dashboards, API, LRS)."""

    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on.")
    secret_key: SecretStr | None = Field(
        None, description="Key signing sessions and embed tokens (or *_FILE variable)."
    )


class Settings(Section):
    """All of learnlake's settings (learnlake.yaml)."""

    data_dir: Path = Field(
        Path("learnlake-data"),
        description="Folder for the warehouse, run state and (by default) the lake.",
    )
    site: SiteSettings = Field(default_factory=SiteSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    lake: LakeSettings = Field(default_factory=LakeSettings)
    warehouse: WarehouseSettings = Field(default_factory=WarehouseSettings)
    tracking_logs: TrackingLogSettings = Field(default_factory=TrackingLogSettings)
    extract: ExtractSettings = Field(default_factory=ExtractSettings)
    xapi: XapiSettings = Field(default_factory=XapiSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)

    @property
    def lake_root(self) -> str:
        """The lake root as a path or URL."""
        return self.lake.root or str(self.data_dir / "lake")

    @property
    def duckdb_path(self) -> Path:
        """The DuckDB warehouse file."""
        return self.warehouse.duckdb_path or self.data_dir / "warehouse.duckdb"

    @property
    def state_dir(self) -> Path:
        """Where run history, checkpoints and the batch lock live."""
        return self.data_dir / "state"
