"""The settings model: every key learnlake reads, its type, default and meaning.

The descriptions here are the documentation: `learnlake init` writes them as comments and the
README's configuration reference is generated from them, so neither can drift from the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


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
    output_location: str | None = Field(
        None, description="s3:// folder for Athena query results; empty uses the workgroup's setting."
    )
    endpoint_url: str | None = Field(
        None, description="Glue and Athena endpoint (private endpoints, tests); empty for AWS."
    )
    query_timeout_s: float = Field(120.0, gt=0, description="How long to wait for one Athena query.")


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
    copy_raw: bool = Field(
        False,
        description="Also copy the raw log lines read into the lake, gzipped, under "
        "<prefix>/tracking_logs/lms=<host>/year=/month=/day=/ (the layout Panorama sites expect).",
    )


class FieldSettings(Section):
    """One column of an extracted table (Panorama's fields[] entry)."""

    name: str = Field(description="Column name.")
    type: str = Field("varchar", description="Source SQL type name.")
    value: Any = Field(None, description="Constant replacing the column (null: the column is NULL), if set.")
    pii: bool | Literal["secret"] = Field(
        False,
        description="true: personal data, extracted only when privacy.pii is true; secret: never extracted.",
    )


class TableSettings(Section):
    """One table to extract from a datasource."""

    name: str = Field(description="Source table name.")
    lake_name: str | None = Field(None, description="Name in the lake; defaults to the source name.")
    partition_fields: list[str] = Field(
        default_factory=list, description="Columns that become field=value partitions."
    )
    timestamp_field: str | None = Field(None, description="Modification time column for increments.")
    interval: str | None = Field(
        None, description="Panorama interval, e.g. '2 hour': how far before the watermark to re-read."
    )
    primary_key: list[str] = Field(
        default_factory=list, description="Key columns for upserts and deletions; empty: the source's."
    )
    fields: list[FieldSettings] = Field(
        default_factory=list, description="Columns; empty means every column the source has."
    )


class DatasourceSettings(Section):
    """A database or course-structure source to extract."""

    name: str = Field(description="Name used by --datasource.")
    type: Literal[
        "mysql", "postgresql", "sqlite", "openedx_course_structures", "olx", "course_blocks_api", "csv"
    ] = Field("mysql", description="Kind of source.")
    url: str | None = Field(
        None, description="SQLAlchemy-style URL, e.g. mysql://user@host:3306/edxapp (no password)."
    )
    password: SecretStr | None = Field(None, description="Password (or *_FILE variable).")
    location: str | None = Field(None, description="File or folder for olx/csv sources.")
    tables: list[TableSettings] = Field(
        default_factory=list, description="Tables; empty means the built-in Open edX set (mysql)."
    )
    driver: Literal["auto", "connectorx", "dbapi"] = Field(
        "auto", description="Row reader: connectorx (Arrow, fast), dbapi (server-side cursor), auto."
    )
    mongodb_url: str | None = Field(
        None,
        description="openedx_course_structures: MongoDB URL of the modulestore, e.g. "
        "mongodb://user@mongo:27017/?authSource=edxapp (no password).",
    )
    mongodb_database: str = Field("edxapp", description="openedx_course_structures: modulestore database.")
    mongodb_password: SecretStr | None = Field(
        None, description="openedx_course_structures: MongoDB password."
    )
    client_id: str | None = Field(
        None, description="course_blocks_api: OAuth2 client id (client credentials)."
    )
    client_secret: SecretStr | None = Field(None, description="course_blocks_api: OAuth2 client secret.")
    courses: list[str] = Field(
        default_factory=list,
        description="course_blocks_api: course keys to read; empty means every course the LMS lists.",
    )


class ExtractSettings(Section):
    """LMS database and course-structure extraction."""

    datasources: list[DatasourceSettings] = Field(
        default_factory=list, description="Sources, extracted in order."
    )
    batch_rows: int = Field(100_000, ge=1, description="Rows per read batch (memory is bounded by it).")
    delete_check_hours: float = Field(
        24.0, ge=0, description="Hours between primary-key deletion checks of incremental tables."
    )
    retries: int = Field(3, ge=1, description="Attempts per table on transient database errors.")


class XapiSettings(Section):
    """Tracking event to xAPI statement transformation."""

    actor: Literal["account", "mbox"] = Field(
        "account",
        description="account: LMS external id (default); mbox: email, needs privacy.pii.",
    )
    course_names: dict[str, str] = Field(
        default_factory=dict,
        description='Course key -> display name, over course overviews; "*" names any other course.',
    )
    strict_courses: bool = Field(
        False, description="Skip events of courses without a known name, as event-routing-backends does."
    )


class ModelSettings(Section):
    """Parameters of the metric models."""

    at_risk_days: int = Field(7, ge=1, description="At-risk: failing and no visit for more than N days.")
    active_days: int = Field(7, ge=1, description="Active: visited within N days.")
    user_dir: Path | None = Field(
        None, description="Folder of your own SQL models, built with the shipped ones (may read them)."
    )


# LMS sign-in: register learnlake in the LMS admin (Django OAuth Toolkit application: confidential,
# authorization code, redirect URI `<learnlake URL>/login/lms/callback`). LMS staff and superusers
# become operators, org-wide course access roles org staff, course staff / instructors course staff,
# everyone else a learner seeing their own data (see learnlake.serve.auth.oidc).
class OidcSettings(Section):
    """Sign-in with the Open edX LMS as OAuth2 / OpenID Connect provider (off while client_id is unset)."""

    client_id: str | None = Field(None, description="Client id of learnlake's OAuth2 application in the LMS.")
    client_secret: SecretStr | None = Field(None, description="Its client secret (or *_FILE variable).")
    base_url: str | None = Field(
        None,
        description="LMS URL serving /oauth2/authorize and /oauth2/access_token; default site.lms_root_url.",
    )
    issuer: str | None = Field(None, description="Expected `iss` of ID tokens; default <base_url>/oauth2.")
    scopes: list[str] = Field(
        ["openid", "profile", "email", "user_id"], description="Scopes requested from the LMS."
    )
    userinfo_url: str | None = Field(
        None,
        description="User info endpoint (claims of the signed-in user); default <base_url>/oauth2/user_info.",
    )
    jwks_url: str | None = Field(
        None,
        description="The LMS public JWK set; when set, ID tokens are verified (signature, iss, aud, nonce).",
    )
    redirect_url: str | None = Field(
        None, description="Public URL of /login/lms/callback (behind a proxy); default from the request."
    )


class ServeSettings(Section):
    """The web server (dashboards, API, LRS)."""

    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on.")
    secret_key: SecretStr | None = Field(
        None, description="Key signing sessions and embed tokens (or *_FILE variable)."
    )
    embed_secret: SecretStr | None = Field(
        None,
        description="Shared secret the LMS presents to POST /api/v1/embed/token; empty disables embedding.",
    )
    embed_ttl_s: int = Field(900, ge=30, le=86400, description="Lifetime of an embed token, in seconds.")
    oidc: OidcSettings = Field(default_factory=OidcSettings)


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

    @model_validator(mode="after")
    def _mbox_needs_pii(self) -> Settings:
        """Emails in statements are personal data: refuse `xapi.actor: mbox` without privacy.pii."""
        if self.xapi.actor != "account" and not self.privacy.pii:
            raise ValueError(
                "xapi.actor: mbox puts learners' emails into statements; it needs privacy.pii: true"
            )
        return self

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
