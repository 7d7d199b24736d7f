"""The platform's names, written once: Airflow connection ids, the DuckDB pool, warehouse schemas.

The connections and the pool are declared for local use in ``airflow_settings.yaml`` (real
values come from the Deployment); the schemas are those of ingestion (``raw``, ``raw_meta``),
of the dbt project's folders (``dbt/dbt_project.yml``) and of ML scoring (``ml``, the dbt
source of the score tables). ``tests/test_constants.py`` holds them to those files.
"""

from __future__ import annotations

# -- Airflow connections ----------------------------------------------------------------------
DUCKDB_CONN_ID = "duckdb_default"  # the embedded warehouse: host = the DuckDB file (dbt profile)
SNOWFLAKE_CONN_ID = "snowflake_default"  # the production warehouse (loads, dbt, scoring)
AWS_CONN_ID = "aws_default"  # the S3 landing zone
SMTP_CONN_ID = "smtp_default"  # every alert e-mail

# -- Airflow pools ----------------------------------------------------------------------------
# DuckDB allows one writing process: every task that opens the warehouse file takes this slot.
DUCKDB_POOL = "duckdb_warehouse"

# -- warehouse schemas ------------------------------------------------------------------------
RAW_SCHEMA = "raw"  # one table per source, as loaded
RAW_META_SCHEMA = "raw_meta"  # the load history
STAGING_SCHEMA = "staging"
MARTS_SCHEMA = "marts"
FEATURES_SCHEMA = "features"
SNAPSHOTS_SCHEMA = "snapshots"
ML_SCHEMA = "ml"  # the score tables and the model registry
ALERTS_SCHEMA = "alerts"
SEMANTIC_SCHEMA = "semantic"  # the semantic layer's own models (time spine, Customer 360 by day)
REFERENCE_SCHEMA = "reference"  # the dbt seeds (FX rates)

# -- access -----------------------------------------------------------------------------------
# Snowflake role whose holders see personal data unmasked (the masking policy of the setup DAG)
PII_READER_ROLE = "C360_PII_READER"
