"""Fixtures for the ingestion tests: generator exports, a DuckDB warehouse, env isolation."""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

# Airflow reads its home at import: keep it out of ~/airflow unless the caller chose one.
os.environ.setdefault("AIRFLOW_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                   f"c360_ingest_tests_{os.getuid()}"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "false")

AS_OF = date(2026, 11, 24)
SCALE = 0.002
HISTORY_DAYS = 14
BUCKET = "c360-landing"  # the moto bucket of the S3 tests


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A hard timeout on every ingestion test that does not set its own (nothing may hang)."""
    for item in items:
        if "tests/ingest/" in str(item.path) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(120))


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A small generator history (+ one increment day) written once per session."""
    from include.c360.generator import GeneratorConfig, generate_day, generate_history

    root = tmp_path_factory.mktemp("gen")
    cfg = GeneratorConfig(seed=42, scale=SCALE, as_of=AS_OF, history_days=HISTORY_DAYS)
    hist = generate_history(cfg, str(root / "history"), ground_truth_dir=root / "gt")
    day = generate_day(cfg, date(2026, 11, 25), str(root / "day"))
    return {"root": root, "history": hist, "day": day, "config": cfg}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """An isolated data dir (landing + warehouse) selected through the environment."""
    data = tmp_path / "data"
    (data / "landing").mkdir(parents=True)
    monkeypatch.setenv("C360_DATA_DIR", str(data))
    monkeypatch.delenv("C360_LANDING", raising=False)
    monkeypatch.delenv("C360_DUCKDB_PATH", raising=False)
    monkeypatch.setenv("C360_TARGET", "duckdb")
    for k in list(os.environ):
        if k.startswith("C360_INGEST_"):
            monkeypatch.delenv(k)
    yield {"data": data, "landing": data / "landing", "duckdb": data / "warehouse" / "c360.duckdb"}


@pytest.fixture
def zone(env: dict):
    from include.c360.landing import LocalLandingZone

    return LocalLandingZone(env["landing"])


@pytest.fixture
def wh(env: dict):
    from include.c360.ingest.config import IngestConfig
    from include.c360.ingest.duckdb_loader import DuckDBLoader

    w = DuckDBLoader(env["duckdb"], IngestConfig())
    w.setup()
    yield w
    w.close()


@pytest.fixture
def snow(env, monkeypatch):
    """fakesnow in this process behind ``snowflake_default`` (CREATE PIPE / storage
    integration / masking policies no-op'd: fakesnow has none; their SQL is checked as
    rendered text); its COPY patched to answer as Snowflake's
    (``tests/ingest/fakesnow_copy.py``)."""
    import fakesnow

    from tests.ingest.fakesnow_copy import snowflake_like_copy

    monkeypatch.setenv("AIRFLOW_CONN_SNOWFLAKE_DEFAULT", json.dumps({
        "conn_type": "snowflake", "login": "c360", "password": "local", "schema": "raw",
        "extra": {"account": "local", "database": "C360", "warehouse": "c360_wh"}}))
    with snowflake_like_copy(), fakesnow.patch(
            nop_regexes=[r"^\s*create pipe", r"^\s*create storage integration",
                         r"^\s*create masking policy",
                         r"(?s)^\s*alter table \S+ modify\s+column .*masking policy"]):
        yield env


def snowflake_loader(env: dict, **config: object):
    """A SnowflakeLoader whose stages read the test's landing folder."""
    from include.c360.ingest.config import IngestConfig
    from include.c360.ingest.snowflake_loader import SnowflakeLoader

    return SnowflakeLoader(IngestConfig(**config), landing_url=f"file://{env['landing']}")


def run_pipe_check(wh, monkeypatch: pytest.MonkeyPatch, src, zone, pipe_loaded: dict[str, int]):
    """``check_snowpipe`` after Snowpipe "loaded" ``{file key: rows}``: the rows are inserted
    into RAW as the pipe would have (key column, file, row number; the rest NULL) and
    SYSTEM$PIPE_STATUS / COPY_HISTORY answer in Snowflake's documented shapes (fakesnow has no
    pipes). Returns the check's summary."""
    from datetime import UTC, datetime, timedelta

    from include.c360.ingest.run import check_snowpipe

    for key, n in pipe_loaded.items():
        for i in range(n):
            wh.hook.run(f"insert into C360.raw.{src.name} ({src.key}, _source_file, "
                        "_source_row_number) values (%(t)s, %(k)s, %(i)s)",
                        parameters={"t": f"T{key[-12:]}{i}", "k": key, "i": i + 1})
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    history = [(k.split("/", 1)[1], f"s3://c360-landing/landing/{src.name}/", "Loaded", n,
                None, None, None, start) for k, n in pipe_loaded.items()]
    real_first, real_records = wh.hook.get_first, wh.hook.get_records
    monkeypatch.setattr(wh.hook, "get_first", lambda sql, *a, **k: (json.dumps(
        {"executionState": "RUNNING", "pendingFileCount": 0}),)
        if "pipe_status" in sql else real_first(sql, *a, **k))
    monkeypatch.setattr(wh.hook, "get_records", lambda sql, *a, **k: history
                        if "copy_history" in sql else real_records(sql, *a, **k))
    return check_snowpipe(src, start, start + timedelta(minutes=15), zone=zone, wh=wh,
                          config=wh.config)


@pytest.fixture(scope="module")
def moto_endpoint():
    """A moto S3 server on a free local port (one per test module)."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(moto_endpoint, env, monkeypatch):
    import boto3

    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps({
        "conn_type": "aws", "login": "testing", "password": "testing",
        "extra": {"endpoint_url": moto_endpoint, "region_name": "us-east-1"},
    }))
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(k, "testing")
    monkeypatch.setenv("C360_LANDING", f"s3://{BUCKET}/landing")
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    try:
        client.create_bucket(Bucket=BUCKET)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    return {**env, "client": client}


def copy_landing(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, dirs_exist_ok=True)
