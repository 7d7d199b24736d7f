"""Independent readers of export files (no DuckDB) to check what the loader put in RAW."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from include.c360.sources import Source


def file_row_count(src: Source, path: Path) -> int:
    if src.file_format == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    with gzip.open(path, "rb") as fh:
        n = sum(1 for line in fh if line.strip())
    return n - 1 if src.file_format == "csv_gzip" else n


def raw_checksum(con: Any, schema: str = "raw") -> dict[str, tuple]:
    """Row count and an order-independent hash of every RAW table (all columns)."""
    from include.c360.sources import SOURCES

    out = {}
    for s in SOURCES:
        out[s.name] = con.execute(
            f"select count(*), coalesce(sum(hash(t)), 0) from {schema}.{s.name} t").fetchone()
    return out
