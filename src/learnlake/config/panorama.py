"""Reading a Panorama (panorama-elt) settings file as learnlake settings.

A Panorama site already has `panorama_openedx_settings.yaml`; pointing `--config` at it must just
work. Its `datalake` section maps to the lake (bucket, prefix, lms partition, AWS credentials,
Athena) and its `datasources` to extraction sources with their per-table keys.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

PANORAMA_KEYS = {"datalake", "datasources"}


def is_panorama_settings(doc: Any) -> bool:
    """A Panorama file has a top-level `datalake` mapping or `datasources` list of typed sources."""
    return isinstance(doc, dict) and "datalake" in doc and not set(doc) - PANORAMA_KEYS


def panorama_to_learnlake(doc: dict[str, Any], file: str) -> dict[str, Any]:
    """Translate a Panorama settings document into a learnlake settings document."""
    from learnlake.config.loader import ConfigError

    lake = doc.get("datalake") or {}
    bucket = lake.get("panorama_raw_data_bucket")
    if not bucket:
        raise ConfigError(f"{file}: datalake.panorama_raw_data_bucket: required in a Panorama file")
    out: dict[str, Any] = {"lake": {"root": f"s3://{bucket}", "formats": ["csv", "parquet"]}}
    if lake.get("base_prefix"):
        out["lake"]["prefix"] = lake["base_prefix"]
    s3: dict[str, Any] = {"region": lake.get("aws_region") or "us-east-1"}
    if lake.get("aws_access_key"):
        s3["access_key_id"] = lake["aws_access_key"]
    if lake.get("aws_secret_access_key"):
        s3["secret_access_key"] = lake["aws_secret_access_key"]
    out["lake"]["s3"] = s3
    if lake.get("datalake_database"):
        out["lake"]["athena"] = {
            "database": lake["datalake_database"],
            "workgroup": lake.get("datalake_workgroup"),
        }
    for partition in lake.get("base_partitions") or []:
        if isinstance(partition, dict) and partition.get("name") == "lms" and partition.get("value"):
            out["site"] = {"lms_host": str(partition["value"])}
    sources = [_datasource(ds, file) for ds in doc.get("datasources") or []]
    if sources:
        out["extract"] = {"datasources": sources}
    return out


def _datasource(ds: dict[str, Any], file: str) -> dict[str, Any]:
    from learnlake.config.loader import ConfigError

    kind = ds.get("type")
    name = ds.get("name") or str(kind)
    out: dict[str, Any] = {"name": name}
    if kind in ("mysql", "openedx_course_structures"):
        out["type"] = kind
        if kind == "mysql" or ds.get("mysql_host"):
            user = quote(str(ds.get("mysql_username") or "root"), safe="")
            host = ds.get("mysql_host") or "127.0.0.1"
            port = ds.get("mysql_port") or 3306
            database = ds.get("mysql_database") or "edxapp"
            out["url"] = f"mysql://{user}@{host}:{port}/{database}"
            if ds.get("mysql_password"):
                out["password"] = str(ds["mysql_password"])
        if kind == "openedx_course_structures":  # Panorama's Mongo keys (no port key: 27017)
            database = str(ds.get("mongodb_database") or "edxapp")
            user = quote(str(ds["mongodb_username"]), safe="") + "@" if ds.get("mongodb_username") else ""
            host = ds.get("mongodb_host") or "127.0.0.1"
            out["mongodb_url"] = f"mongodb://{user}{host}:27017/?authSource={database}&directConnection=true"
            out["mongodb_database"] = database
            if ds.get("mongodb_password"):
                out["mongodb_password"] = str(ds["mongodb_password"])
    elif kind in ("csv", "xls"):
        out["type"] = "csv"
        out["location"] = ds.get("location")
    else:
        raise ConfigError(f"{file}: datasources.{name}.type: unknown Panorama datasource type {kind!r}")
    out["tables"] = [_table(t) for t in ds.get("tables") or [] if isinstance(t, dict) and t.get("name")]
    return out


def _table(table: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": table["name"]}
    partitions = table.get("partitions") or {}
    if partitions.get("partition_fields"):
        out["partition_fields"] = list(partitions["partition_fields"])
    if partitions.get("timestamp_field"):
        out["timestamp_field"] = partitions["timestamp_field"]
    if partitions.get("interval"):
        out["interval"] = str(partitions["interval"])
    fields = []
    for f in table.get("fields") or []:
        entry: dict[str, Any] = {"name": f["name"], "type": f.get("type") or "varchar"}
        if "value" in f:
            entry["value"] = f["value"]
        fields.append(entry)
    if fields:
        out["fields"] = fields
    return out
