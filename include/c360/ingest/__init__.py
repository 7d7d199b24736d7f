"""Ingestion: landing zone -> RAW tables, idempotent per file, on DuckDB or Snowflake.

Modules: ``config`` (constants and the ON_ERROR / changed-file policies), ``assets`` (one
Airflow Asset per RAW table), ``sql`` (the templated per-dialect SQL), ``plan`` (which files of
a data interval still need loading), ``validate`` (schema/type checks naming file, row and
column), ``duckdb_loader`` / ``snowflake_loader`` (the two warehouses), ``dialect`` (the one
dispatch between them) and ``run`` (what an ingestion task does).
"""
