"""The production target end to end: the real setup and ingestion DAGs under the real scheduler
(``tests/airflow_server.py``) with ``C360_TARGET=snowflake`` and an ``s3://`` landing zone,
against fakesnow's server (the provider's SnowflakeHook and the real connector over HTTPS) and
moto's server (the amazon provider's S3Hook and S3KeySensor), both started by the test and
stopped with everything else it started.

Covered: ``c360_setup`` (database, schemas, file formats, stages on s3://, RAW tables, load
history, the pipes' S3 event notifications) and the ingestion DAG of every batch source
(customers, orders with a bad file, products' truncate + insert, campaigns, support_tickets:
sensor on S3, pre-COPY checks, COPY INTO from the external stage, load history, quarantine
inside the bucket). What the emulators lack, and so what is only
rendered here, is listed in README "Production path on emulators".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from include.c360.ingest.config import QUARANTINE_PREFIX
from include.c360.sources import SOURCES, source
from tests.airflow_server import airflow_env, local_airflow
from tests.emulators import (
    AWS,
    fakesnow_server,
    free_port,
    moto_server,
    production_env,
    snowflake_cursor,
)
from tests.ingest.exports import encode, rows_for

pytestmark = pytest.mark.timeout(600)
BUCKET = "c360-e2e"
PREFIX = "landing/"
# every batch source (the Snowpipe ones need pipes: see the README table)
ROWS = {"orders": 12, "customers": 9, "products": 6, "campaigns": 7, "support_tickets": 5}


def _put(s3, key: str, data: bytes) -> None:
    s3.put_object(Bucket=BUCKET, Key=PREFIX + key, Body=data)


def _run_with_files(client, s3, dag_id: str, name: str, conf: dict) -> tuple[str, dict, list]:
    """Trigger the source's due run while its DAG is paused, land its files in the run's
    partition, then let the scheduler run it: (final state, task states, landed keys)."""
    run_id = client.trigger(dag_id, conf, client.due_logical_date(dag_id))
    start = client.dag_run(dag_id, run_id)["data_interval_start"]
    day = datetime.fromisoformat(start.replace("Z", "+00:00")).date()
    src = source(name)
    good = src.file_key(day)
    _put(s3, good, encode(src, rows_for(src, ROWS[name], day)))
    keys = [good]
    if name == "orders":  # a renamed column: quarantined with its load-history row
        cols = rows_for(src, 5, day, seed=9)
        cols["order_total"] = cols.pop("total_amount")
        bad = src.file_key(datetime.combine(day, datetime.min.time()) + timedelta(hours=5))
        _put(s3, bad, encode(src, cols))
        keys.append(bad)
    client.unpause(dag_id)
    state = client.wait_for_run(dag_id, run_id, timeout=300)
    tasks = {t["task_id"]: t["state"] for t in client.task_instances(dag_id, run_id)}
    return state, tasks, keys


def test_setup_and_ingestion_dags_on_the_snowflake_and_s3_emulators(tmp_path: Path,
                                                                     monkeypatch):
    import boto3

    started = datetime.now(UTC).replace(tzinfo=None)
    with moto_server() as endpoint:
        s3 = boto3.client("s3", endpoint_url=endpoint, **AWS)
        s3.create_bucket(Bucket=BUCKET)
        sqs = boto3.client("sqs", endpoint_url=endpoint, **AWS)
        queue = sqs.create_queue(QueueName="sf-snowpipe-e2e")["QueueUrl"]
        channel = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        with fakesnow_server(tmp_path, endpoint, channel) as snow:
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", snow["ca_bundle"])
            env = airflow_env(tmp_path, free_port(), tmp_path / "unused.duckdb",
                              **production_env(snow, endpoint,
                                               f"s3://{BUCKET}/{PREFIX}".rstrip("/")))
            dags = ("c360_setup", *(f"c360_ingest_{name}" for name in ROWS))
            with local_airflow(env, dags) as client:
                assert client.run_dag("c360_setup", timeout=240) == "success"
                landed = {}
                for name in ROWS:
                    state, tasks, landed[name] = _run_with_files(
                        client, s3, f"c360_ingest_{name}", name, {"on_error": "continue"})
                    assert (state, tasks) == ("success", {"wait_for_files": "success",
                                                          "load": "success"}), tasks
            cur = snowflake_cursor(snow)
            try:
                cur.execute("select table_name from information_schema.tables "
                            "where table_schema = 'RAW'")
                assert {r[0].lower() for r in cur.fetchall()} >= {s.name for s in SOURCES}
                counts = {}
                for name in ROWS:
                    cur.execute(f"select count(*), min(_loaded_at), max(_loaded_at) "
                                f"from C360.raw.{name}")
                    n, lo, hi = cur.fetchone()
                    counts[name] = n
                    assert started - timedelta(seconds=5) <= lo <= hi <= datetime.now(
                        UTC).replace(tzinfo=None)  # UTC, as freshness reads it
                assert counts == ROWS
                cur.execute("select source, file_key, status, row_count, error_column, "
                            "quarantine_key from C360.raw_meta.load_history "
                            "order by source, file_key")
                history = [tuple(r) for r in cur.fetchall()]
            finally:
                cur.connection.close()
        good_orders, bad_orders = landed["orders"]
        assert history == sorted(
            [(name, keys[0], "LOADED", ROWS[name], None, None) for name, keys in landed.items()]
            + [("orders", bad_orders, "FAILED", None, "total_amount",
                QUARANTINE_PREFIX + bad_orders)])
        objects = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
        assert PREFIX + QUARANTINE_PREFIX + bad_orders in objects
        assert PREFIX + bad_orders not in objects and PREFIX + good_orders in objects
        notifications = s3.get_bucket_notification_configuration(Bucket=BUCKET)
        assert {(q["Id"], q["QueueArn"], q["Filter"]["Key"]["FilterRules"][0]["Value"])
                for q in notifications["QueueConfigurations"]} == {
            ("c360-snowpipe-transactions", channel, "landing/transactions/"),
            ("c360-snowpipe-events", channel, "landing/events/")}
