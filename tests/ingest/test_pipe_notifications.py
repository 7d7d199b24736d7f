"""Setup wires the landing bucket's event notifications to each AUTO_INGEST pipe's SQS queue,
on moto's S3 server through the amazon provider's S3Hook. fakesnow has no CREATE PIPE / SHOW
PIPES: the pipes' answer is given in SHOW PIPES' documented shape (columns ``name`` and
``notification_channel``), the S3 side is real."""

from __future__ import annotations

import pytest

from include.c360.ingest.sql import snowpipe_sources
from tests.ingest.conftest import BUCKET

pytestmark = pytest.mark.timeout(90)


def _queue(endpoint: str, name: str) -> str:
    import boto3

    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]


def test_setup_points_each_pipes_prefix_at_its_queue_and_keeps_other_notifications(
        s3_env, moto_endpoint, monkeypatch):
    from include.c360.ingest import tasks
    from include.c360.ingest.snowflake_loader import SnowflakeLoader, pipe_channels_from

    arn = _queue(moto_endpoint, "sf-snowpipe-AIDA-test")
    other = _queue(moto_endpoint, "someone-elses-queue")
    client = s3_env["client"]
    client.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={
        "QueueConfigurations": [{"Id": "audit", "QueueArn": other,
                                 "Events": ["s3:ObjectRemoved:*"]}]})
    show_pipes = [
        {"name": "TRANSACTIONS_PIPE", "database_name": "C360", "schema_name": "RAW",
         "notification_channel": arn, "kind": "STAGE"},
        {"name": "EVENTS_PIPE", "database_name": "C360", "schema_name": "RAW",
         "notification_channel": arn, "kind": "STAGE"},
    ]
    monkeypatch.setattr(SnowflakeLoader, "pipe_channels",
                        lambda self: pipe_channels_from(show_pipes, snowpipe_sources()))
    params = {"database": "C360", "raw_schema": "raw", "landing_url": f"s3://{BUCKET}/landing"}
    for _ in range(2):  # idempotent
        assert tasks.configure_pipe_notifications(params=params) == {
            "transactions": arn, "events": arn}
    conf = client.get_bucket_notification_configuration(Bucket=BUCKET)["QueueConfigurations"]
    got = {q["Id"]: (q["QueueArn"], q["Events"],
                     q.get("Filter", {}).get("Key", {}).get("FilterRules")) for q in conf}
    assert got == {
        "audit": (other, ["s3:ObjectRemoved:*"], None),
        "c360-snowpipe-events": (arn, ["s3:ObjectCreated:*"],
                                 [{"Name": "prefix", "Value": "landing/events/"}]),
        "c360-snowpipe-transactions": (arn, ["s3:ObjectCreated:*"],
                                       [{"Name": "prefix", "Value": "landing/transactions/"}]),
    }


def test_a_missing_pipe_or_channel_is_an_error():
    from include.c360.ingest.snowflake_loader import pipe_channels_from

    snowpipe = snowpipe_sources()
    with pytest.raises(LookupError, match=r"events_pipe.*run the setup's pipes step"):
        pipe_channels_from([{"name": "TRANSACTIONS_PIPE", "notification_channel": "arn:q"}],
                           snowpipe)


def test_the_setup_dag_on_snowflake_and_s3_ends_with_the_notifications(monkeypatch):
    from airflow.sdk import DAG

    from include.c360.ingest.dag_parts import setup_tasks

    monkeypatch.setenv("C360_TARGET", "snowflake")
    monkeypatch.setenv("C360_LANDING", f"s3://{BUCKET}/landing")
    with DAG("t_setup", schedule=None) as dag:
        ops = setup_tasks()
    assert [o.task_id for o in ops][-3:] == ["pipes", "pii_masking", "pipe_notifications"]
    # the notifications point at the pipes' queues: after the pipes exist
    assert "pipes" in dag.get_task("pipe_notifications").get_flat_relative_ids(upstream=True)
