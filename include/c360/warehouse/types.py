"""Column types: the contract's logical types, spelled in each warehouse's SQL.

The logical types are the words of the score tables' contract (dbt's ``data_type`` in the ml
source): ``varchar``, ``integer``, ``bigint``, ``double``, ``boolean``, ``date``,
``timestamp``. The spec's catalog (``include/c360/catalog.yml``, the RAW columns) writes ``int``
for a 64-bit integer and ``float`` for a double; ``SPEC_TYPES`` says which contract type each
is. Every table the Python side creates takes its SQL types from here: the RAW tables (the
ingestion templates' ``type()`` macro), the score and registry tables (``client.ensure_table``).
"""

from __future__ import annotations

# spec type (catalog.yml) -> contract type
SPEC_TYPES: dict[str, str] = {
    "varchar": "varchar", "int": "bigint", "float": "double", "boolean": "boolean",
    "date": "date", "timestamp": "timestamp",
}

# contract type -> SQL type per dialect. Snowflake: INTEGER and BIGINT are NUMBER(38,0), DOUBLE
# is FLOAT, and a timestamp without time zone is TIMESTAMP_NTZ (UTC by convention).
SQL_TYPES: dict[str, dict[str, str]] = {
    "duckdb": {
        "varchar": "VARCHAR", "integer": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE",
        "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP",
    },
    "snowflake": {
        "varchar": "VARCHAR", "integer": "NUMBER(38,0)", "bigint": "NUMBER(38,0)",
        "double": "FLOAT", "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP_NTZ",
    },
}


def sql_type(dialect: str, logical: str) -> str:
    """The SQL type of a contract type (or a spec type) in ``dialect``."""
    kind = SPEC_TYPES.get(logical, logical)
    try:
        return SQL_TYPES[dialect][kind]
    except KeyError:
        raise KeyError(f"no {dialect} SQL type for the logical type {logical!r} (known: "
                       f"{sorted(SQL_TYPES.get(dialect, {}))}, spec types "
                       f"{sorted(SPEC_TYPES)})") from None
