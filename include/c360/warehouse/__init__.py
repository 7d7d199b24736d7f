"""Warehouse access for every part of the platform (ingestion, ML scoring, freshness, alerts,
reports), on DuckDB (the embedded default: a file) or Snowflake (the provider's SnowflakeHook).

``connections``   the target's SQL dialect; the DuckDB file; Snowflake's ``SnowflakeHook``
``types``         the contract's logical column types in each dialect's SQL
``sql``           SQL literals (the one escaper), checked identifiers and stage URLs, and
                  rendered SQL split into statements
``transactions``  begin ... commit, rolled back on any error
``client``        ``Warehouse``: DataFrames in and out, tables from a contract, a run's rows
                  replaced atomically; ``open_warehouse()`` for the configured target
``dbt_profiles``  dbt's profile of the target from the same connections (Cosmos profile
                  mappings), for the transform's dbt and the semantic layer's MetricFlow

The names of connections and schemas are in ``include/c360/constants.py``.
"""

from include.c360.warehouse.client import (
    DuckDBWarehouse,
    SnowflakeWarehouse,
    Warehouse,
    open_warehouse,
)
from include.c360.warehouse.sql import sql_literal

__all__ = ["DuckDBWarehouse", "SnowflakeWarehouse", "Warehouse", "open_warehouse",
           "sql_literal"]
