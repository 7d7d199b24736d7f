"""
### Customer 360 — warehouse setup for ingestion (manual)

Creates everything loading needs, idempotently (re-running changes nothing):

* **Snowflake** (`C360_TARGET=snowflake`, connection `snowflake_default`): database and
  schemas, RAW tables from the source registry, named file formats (CSV gzip with header,
  JSON, Parquet), the S3 storage integration (Param `storage_integration`), one external stage
  per source on `landing_url`, the load-history table and `CREATE PIPE ... AUTO_INGEST = TRUE`
  for the Snowpipe sources (transactions, events), and the masking policy on RAW's
  personal-data columns (Param `pii_reader_role` sees them). SQL:
  `include/sql/snowflake/setup/*.sql`. On an S3 landing zone, `pipe_notifications` then points
  the bucket's object-created events of each pipe's prefix at its SQS queue (`SHOW PIPES`
  notification_channel, `aws_default`). Params are validated identifiers / an `s3://` URL
  before the run starts.
* **DuckDB** (default): schemas, RAW tables and the load-history table in the warehouse file.
"""

from __future__ import annotations

from airflow.sdk import DAG

from include.c360.dag_defaults import DEFAULT_ARGS, START_DATE
from include.c360.ingest.dag_parts import setup_params, setup_tasks
from include.c360.ingest.sql import SQL_DIR, template_macros

with DAG(
    dag_id="c360_setup",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    doc_md=__doc__,
    tags=["c360", "setup", "ingestion"],
    default_args=DEFAULT_ARGS,
    params=setup_params(),
    template_searchpath=[str(SQL_DIR)],
    user_defined_macros=template_macros(),
) as dag:
    setup_tasks()
