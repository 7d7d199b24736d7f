"""Ingestion: landing zone -> RAW tables, idempotent per file, on DuckDB or Snowflake.

Modules: ``config`` (the ON_ERROR / changed-file policies and load-history statuses), ``sql``
(the templated per-dialect SQL), ``plan`` (which files of a data interval still need
loading), ``validate`` (schema/type checks naming file, row and column), ``base`` (what the
loaders share), ``duckdb_loader`` / ``snowflake_loader`` (the two warehouses' loaders),
``run`` (what an ingestion task does), ``tasks`` (the task callables, and ``loader()``: the
one choice of loader for the target) and ``dag_parts`` (Params, docs, sensors, setup tasks).
Connections, transactions, literals and the type map are the warehouse package's
(``include/c360/warehouse``); the RAW tables' Assets are ``include/c360/assets.py``.
"""
