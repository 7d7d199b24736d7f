"""One Airflow Asset per RAW table, built from the source registry.

The ingestion DAGs update them (outlets) and downstream DAGs schedule on them; both import
them from here so the objects are identical. The URI is target-independent
(``x-c360://warehouse/raw/<source>``): the transform DAG schedules on the same Asset whether
the warehouse is DuckDB or Snowflake.
"""

from __future__ import annotations

from airflow.sdk import Asset

from include.c360.constants import RAW_SCHEMA
from include.c360.sources import SOURCES, Source


def raw_asset(src: Source) -> Asset:
    return Asset(
        name=f"c360.{RAW_SCHEMA}.{src.name}",
        uri=f"x-c360://warehouse/{RAW_SCHEMA}/{src.name}",
        group="c360_raw",
        extra={"source": src.name, "load_strategy": src.load_strategy},
    )


def raw_assets() -> dict[str, Asset]:
    """Every RAW table's Asset, by source name."""
    return {s.name: raw_asset(s) for s in SOURCES}
