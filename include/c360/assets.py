"""The platform's Airflow Assets: one per warehouse relation, the same on DuckDB and Snowflake.

``x-c360://warehouse/<schema>/<name>`` (Asset name ``c360.<schema>.<name>``, group
``c360_<schema>``): the ingestion DAGs update the RAW tables' (``raw_asset``), the transform
schedules on those of the daily sources and updates those of the tables dbt builds
(``model_asset``). Both sides build them here, so the objects are identical.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset

from include.c360.constants import RAW_SCHEMA
from include.c360.sources import SOURCES, Source

URI_PREFIX = "x-c360://warehouse"


def warehouse_asset(schema: str, name: str, extra: dict[str, Any]) -> Asset:
    """The Asset of the relation ``<schema>.<name>``."""
    return Asset(name=f"c360.{schema}.{name}", uri=f"{URI_PREFIX}/{schema}/{name}",
                 group=f"c360_{schema}", extra=extra)


def raw_asset(src: Source) -> Asset:
    """The RAW table of a source, updated by its ingestion DAG."""
    return warehouse_asset(RAW_SCHEMA, src.name,
                           {"source": src.name, "load_strategy": src.load_strategy})


def raw_assets() -> dict[str, Asset]:
    """Every RAW table's Asset, by source name."""
    return {s.name: raw_asset(s) for s in SOURCES}


def model_asset(node: dict[str, Any]) -> Asset:
    """The relation a dbt model or snapshot builds (a node of the dbt manifest)."""
    config = node.get("config") or {}
    return warehouse_asset(config.get("schema") or node["schema"],
                           node.get("alias") or node["name"],
                           {"dbt_unique_id": node["unique_id"],
                            "materialized": config.get("materialized")})
