"""The Snowflake path without a Snowflake account: the real SnowflakeHook and
SQLExecuteQueryOperator against fakesnow (in-process ``fakesnow.patch()``).

fakesnow gaps: no CREATE PIPE / storage integration (no-op'd here and checked as
rendered text instead), no SYSTEM$PIPE_STATUS / COPY_HISTORY (their consumer is fed the
documented result shapes), COPY transformations only partly and a few COPY answers unlike
Snowflake's (``tests/ingest/fakesnow_copy.py`` fixes the stand-in, not our SQL). Errors inside
transactions can hang fakesnow: every test has a hard timeout and the COPY error path is
exercised through message parsing rather than a failing COPY.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from include.c360.ingest.config import QUARANTINE_PREFIX, IngestConfig
from include.c360.ingest.run import IngestError, check_snowpipe, ingest
from include.c360.ingest.sql import render
from include.c360.sources import SOURCES, source
from include.c360.warehouse.sql import split_statements
from tests.ingest.conftest import snowflake_loader
from tests.ingest.exports import encode, rows_for, write_export

pytestmark = pytest.mark.timeout(60)
UTC = UTC
RUN = (datetime(2026, 11, 24, 2, tzinfo=UTC), datetime(2026, 11, 25, 2, tzinfo=UTC))
PARAMS = {"database": "C360", "raw_schema": "raw", "meta_schema": "raw_meta",
          "landing_url": "s3://c360-landing/landing", "storage_integration": "c360_s3",
          "aws_role_arn": "arn:aws:iam::123456789012:role/c360-snowflake",
          "pii_reader_role": "C360_PII_READER"}


def _warehouse(env, **kw):
    return snowflake_loader(env, **kw)


def test_pii_columns_of_raw_are_masked_for_roles_without_the_reader_role():
    from include.c360.sources import SOURCES

    stmts = split_statements(render("snowflake/setup/08_pii_masking.sql", params=PARAMS))
    policy, *alters = stmts
    assert policy.startswith("create masking policy if not exists C360.raw_meta.pii_string")
    assert "is_role_in_session('C360_PII_READER') then val" in policy
    assert "else '***MASKED***'" in policy
    # one ALTER per source with personal data, naming exactly its catalog pii columns
    assert [s.name for s in SOURCES if s.pii_columns] == ["customers"]
    assert len(alters) == 1 and alters[0].startswith("alter table C360.raw.customers modify")
    attached = re.findall(r"column (\w+) set masking policy C360\.raw_meta\.pii_string force",
                          alters[0])
    assert attached == ["first_name", "last_name", "email", "phone"]


def test_production_ddl_renders_with_its_key_clauses():
    pipes = render("snowflake/setup/07_pipes.sql", params=PARAMS)
    stmts = split_statements(pipes)
    assert [re.search(r"create pipe if not exists (\S+)", s).group(1) for s in stmts] == [
        "C360.raw.transactions_pipe", "C360.raw.events_pipe"]
    for s, (table, fmt) in zip(stmts, [("transactions", "ff_parquet"),
                                       ("events", "ff_ndjson_gzip")], strict=True):
        assert "auto_ingest = true" in s
        assert f"copy into C360.raw.{table} (" in s and f"from @C360.raw.landing_{table}" in s
        assert f"format_name = 'C360.raw.{fmt}'" in s and "on_error = skip_file" in s
        assert f"'{table}/' || metadata$filename" in s and "metadata$file_row_number" in s
    integ = render("snowflake/setup/03_storage_integration.sql", params=PARAMS)
    assert "create storage integration if not exists c360_s3" in integ
    assert "storage_provider = 'S3'" in integ and PARAMS["aws_role_arn"] in integ
    assert "storage_allowed_locations = ('s3://c360-landing/landing/')" in integ
    stages = split_statements(render("snowflake/setup/04_stages.sql", params=PARAMS))
    assert len(stages) == len(SOURCES)
    for s, src in zip(stages, SOURCES, strict=True):
        assert f"url = 's3://c360-landing/landing/{src.name}/'" in s
        assert "storage_integration = c360_s3" in s
    formats = render("snowflake/setup/02_file_formats.sql", params=PARAMS)
    assert "type = csv compression = gzip skip_header = 1" in formats
    assert "ff_ndjson_gzip\n    type = json" in formats and "type = parquet" in formats
    status = render("snowflake/pipe_status.sql", params=PARAMS, src=source("events"))
    assert "system$pipe_status('C360.raw.events_pipe')" in status
    hist = render("snowflake/copy_history.sql", params=PARAMS, src=source("events"),
                  start_time="2026-11-22T00:00:00+00:00")
    assert "information_schema.copy_history(" in hist and "'C360.raw.events'" in hist


def test_copy_into_names_one_file_and_never_uses_pattern():
    src = source("orders")
    key = src.file_key(date(2026, 11, 24))
    sql = render("snowflake/copy_file.sql", params=PARAMS, src=src, key=key,
                 stage_path=key.split("/", 1)[1])
    assert "files = ('dt=2026-11-24/orders_20261124.csv.gz')" in sql
    assert "pattern =" not in sql.lower() and "on_error = abort_statement" in sql
    assert "format_name = 'C360.raw.ff_csv_gzip'" in sql
    assert f"'{key}', metadata$file_row_number" in sql


def test_setup_runs_through_the_hook_and_the_sql_operator_idempotently(snow):
    from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

    wh = _warehouse(snow)
    database = SQLExecuteQueryOperator(
        task_id="database", conn_id="snowflake_default", split_statements=True,
        sql=render("snowflake/setup/01_database.sql", params=wh.params), autocommit=True)
    database.execute({})
    wh.setup()
    wh.setup()  # re-running changes nothing
    tables = {r[0].lower() for r in wh.hook.get_records(
        "select table_name from C360.information_schema.tables where table_schema = 'RAW'")}
    assert {s.name for s in SOURCES} <= tables
    cols = [r[0].lower() for r in wh.hook.get_records(
        "select column_name from C360.information_schema.columns where table_schema = 'RAW' "
        "and table_name = 'ORDERS' order by ordinal_position")]
    assert cols == [c.name for c in source("orders").raw_table_columns]
    assert wh.hook.get_first("select count(*) from C360.raw_meta.load_history")[0] == 0


def test_copy_into_each_format_loads_once(snow, zone):
    wh = _warehouse(snow)
    wh.setup()
    for name, n in (("orders", 12), ("events", 9), ("transactions", 7)):
        src = source(name)
        key = write_export(zone, src, date(2026, 11, 24), n, hour=4)
        r = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config)
        assert [(x.key, x.rows) for x in r.loaded] == [(key, n)]
        got = wh.hook.get_records(
            f"select _source_file, min(_source_row_number), max(_source_row_number), count(*), "
            f"count(_loaded_at) from C360.raw.{name} group by 1")
        assert [tuple(g) for g in got] == [(key, 1, n, n, n)]
        again = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config)
        assert again.loaded == [] and again.skipped == [key]
        assert wh.hook.get_first(f"select count(*) from C360.raw.{name}")[0] == n
    first = wh.hook.get_first(
        "select order_id, total_amount, quantity from C360.raw.orders "
        "where _source_row_number = 2")
    expected = rows_for(source("orders"), 12, date(2026, 11, 24))
    assert tuple(first) == (expected["order_id"][1], expected["total_amount"][1],
                            expected["quantity"][1])


def test_truncate_insert_and_changed_file_reload_in_one_transaction(snow, zone):
    wh = _warehouse(snow)
    wh.setup()
    products = source("products")
    write_export(zone, products, date(2026, 11, 16), 20)
    ingest(products, datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 17, tzinfo=UTC),
           zone=zone, wh=wh, config=wh.config)
    newest = write_export(zone, products, date(2026, 11, 23), 15, seed=2)
    r = ingest(products, datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC),
               zone=zone, wh=wh, config=wh.config)
    assert [(x.rows, x.replaced_rows) for x in r.loaded] == [(15, 20)]
    assert [tuple(x) for x in wh.hook.get_records(
        "select _source_file, count(*) from C360.raw.products group by 1")] == [(newest, 15)]

    orders = source("orders")
    key = write_export(zone, orders, date(2026, 11, 24), 10)
    ingest(orders, *RUN, zone=zone, wh=wh, config=wh.config)
    write_export(zone, orders, date(2026, 11, 24), 6, seed=5)  # re-delivered, new content
    r = ingest(orders, *RUN, zone=zone, wh=wh, config=wh.config)
    assert r.changed == [key] and [(x.rows, x.replaced_rows) for x in r.loaded] == [(6, 10)]
    assert wh.hook.get_first("select count(*) from C360.raw.orders")[0] == 6
    assert [tuple(x) for x in wh.hook.get_records(
        "select status, row_count from C360.raw_meta.load_history where file_key = %(k)s "
        "order by finished_at", parameters={"k": key})] == [("LOADED", 10), ("LOADED", 6)]


@pytest.mark.parametrize(("name", "column"), [
    ("campaigns", "channel"),
    ("transactions", "amount"),  # Parquet: $1:amount::FLOAT would load NULLs, not fail
])
def test_schema_drift_is_caught_before_copy_and_quarantined(name, column, snow, zone):
    wh = _warehouse(snow, on_error="continue")
    wh.setup()
    src = source(name)
    good = write_export(zone, src, date(2026, 11, 23), 5)
    cols = rows_for(src, 5, date(2026, 11, 24))
    cols[column + "_v2"] = cols.pop(column)
    bad = src.file_key(date(2026, 11, 24))
    with zone.open_writer(bad) as fh:
        fh.write(encode(src, cols))
    r = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config)
    assert [x.key for x in r.loaded] == [good]
    assert f"column {column!r}" in str(r.errors[0]) and bad in str(r.errors[0])
    assert "renamed?" in str(r.errors[0])
    assert zone.exists(QUARANTINE_PREFIX + bad)
    row = wh.hook.get_first("select status, error_column, error_row from "
                            "C360.raw_meta.load_history where file_key = %(k)s",
                            parameters={"k": bad})
    assert tuple(row) == ("FAILED", column, 0)
    assert wh.hook.get_first(f"select count(*) from C360.raw.{name}")[0] == 5


@pytest.mark.parametrize("first,error", [
    ("null", "record is a JSON null, not an object"),
    ("7", "record is a JSON number, not an object"),
    ("[]", "record is a JSON array, not an object"),
    ("reversed", None),  # the registry's keys in another order: a good file
])
def test_snowflake_precheck_of_the_first_ndjson_record(first, error, env, zone):
    """The Snowflake loader's pre-COPY check is DuckDB's: no TypeError, no key order."""
    import gzip

    from include.c360.ingest.errors import FileError
    from include.c360.ingest.snowflake_loader import SnowflakeLoader

    src = source("events")
    cols = rows_for(src, 2, date(2026, 11, 24))
    record = dict(zip(cols, next(zip(*cols.values(), strict=True)), strict=True))
    line = (json.dumps(dict(reversed(list(record.items()))), default=str)
            if first == "reversed" else first)
    key = src.file_key(datetime(2026, 11, 24, 3))
    with zone.open_writer(key) as fh:
        fh.write(gzip.compress((line + "\n").encode()))
    wh = SnowflakeLoader(IngestConfig(), "s3://c360-landing/landing")
    if error is None:
        wh.precheck(src, key, zone)
        return
    with pytest.raises(FileError) as exc:
        wh.precheck(src, key, zone)
    assert (exc.value.key, exc.value.row) == (key, 1) and error in str(exc.value)


def test_copy_error_message_names_row_and_column():
    from include.c360.ingest.snowflake_loader import file_error_from_snowflake

    msg = ("Numeric value 'abc' is not recognized\n  File 'dt=2026-11-24/orders_20261124.csv.gz'"
           ", line 5, character 41\n  Row 4, column \"ORDERS\"[\"TOTAL_AMOUNT\":5]")
    err = file_error_from_snowflake("orders/dt=2026-11-24/orders_20261124.csv.gz", msg)
    assert (err.row, err.column) == (4, "total_amount")
    assert "orders_20261124.csv.gz row 4, column 'total_amount'" in str(err)


def test_snowpipe_check_records_loads_and_quarantines_rejected_files(snow, zone, monkeypatch):
    """The production DAG task for Snowpipe sources, fed Snowflake's documented result shapes
    for SYSTEM$PIPE_STATUS and COPY_HISTORY (fakesnow has neither)."""
    wh = _warehouse(snow)
    wh.setup()
    src = source("transactions")
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    loaded = write_export(zone, src, date(2026, 11, 24), 5)
    rejected = src.file_key(datetime(2026, 11, 24, 10, 0))
    with zone.open_writer(rejected) as fh:
        fh.write(b"garbage")
    pending = src.file_key(datetime(2026, 11, 24, 10, 15))
    with zone.open_writer(pending) as fh:
        fh.write(encode(src, rows_for(src, 3, date(2026, 11, 24))))
    state = {"executionState": "RUNNING", "pendingFileCount": 1}
    history = [
        (loaded.split("/", 1)[1], "s3://c360-landing/landing/transactions/", "Loaded", 5, None,
         None, None, start),
        (rejected.split("/", 1)[1], "s3://c360-landing/landing/transactions/", "Load failed", 0,
         "Invalid parquet file", 1, None, start),
    ]
    real_first, real_records = wh.hook.get_first, wh.hook.get_records
    monkeypatch.setattr(wh.hook, "get_first", lambda sql, *a, **k: (json.dumps(state),)
                        if "pipe_status" in sql else real_first(sql, *a, **k))
    monkeypatch.setattr(wh.hook, "get_records", lambda sql, *a, **k: history
                        if "copy_history" in sql else real_records(sql, *a, **k))
    with pytest.raises(IngestError, match="(?s)1 bad file.*Snowpipe rejected file"):
        check_snowpipe(src, start, start + timedelta(minutes=15), zone=zone, wh=wh,
                       config=wh.config, grace=timedelta(hours=1))
    assert zone.exists(QUARANTINE_PREFIX + rejected) and zone.exists(pending)
    rows = {tuple(r) for r in real_records(
        "select file_key, status from C360.raw_meta.load_history")}
    assert rows == {(loaded, "LOADED"), (rejected, "FAILED")}
    # the retry: the rejected file is in quarantine now, the run still fails over it
    with pytest.raises(IngestError, match="still unresolved") as retry:
        check_snowpipe(src, start, start + timedelta(minutes=15), zone=zone, wh=wh,
                       config=wh.config, grace=timedelta(hours=1))
    assert rejected in str(retry.value)
    state["executionState"] = "STOPPED_STAGE_DROPPED"
    with pytest.raises(IngestError, match="not RUNNING"):
        check_snowpipe(src, start, start + timedelta(minutes=15), zone=zone, wh=wh,
                       config=wh.config)


@pytest.mark.parametrize(("error", "errno", "sqlstate", "content"), [
    ("ProgrammingError", 100038, "22018", True),   # Numeric value 'abc' is not recognized
    ("ProgrammingError", 100080, "22000", True),   # number of columns in file does not match
    ("ProgrammingError", 100183, None, True),      # error parsing JSON
    ("ProgrammingError", 3001, "42501", False),    # insufficient privileges (revoked grant)
    ("ProgrammingError", 2003, "42S02", False),    # table or stage does not exist
    ("ProgrammingError", 606, "57P03", False),     # no active warehouse / suspended
    ("ProgrammingError", 630, "57014", False),     # statement timeout
    ("OperationalError", 250001, None, False),     # could not connect
    ("DatabaseError", 390114, "08001", False),     # authentication token expired
    ("InterfaceError", None, None, False),         # connection closed
])
def test_snowflake_errors_are_content_or_warehouse(error, errno, sqlstate, content):
    """Only data errors (SQLSTATE class 22, codes 100xxx) quarantine a file; the rest fail the
    task and leave the file (real connector exception classes)."""
    from snowflake.connector import errors

    from include.c360.ingest.snowflake_loader import is_content_error

    exc = getattr(errors, error)(msg="message", errno=errno, sqlstate=sqlstate)
    assert is_content_error(exc) is content


def test_copy_into_a_missing_table_is_a_warehouse_error_not_a_bad_file(snow, zone):
    """The COPY fails for the warehouse's reason (a dropped RAW table): the file stays,
    unloaded, not quarantined, not in the load history; fixed, the retry loads it."""
    from include.c360.ingest.errors import WarehouseError

    wh = _warehouse(snow)
    wh.setup()
    src = source("campaigns")
    key = write_export(zone, src, date(2026, 11, 24), 6)
    wh.hook.run("drop table C360.raw.campaigns")
    with pytest.raises(WarehouseError, match="not at fault") as exc:
        ingest(src, *RUN, zone=zone, wh=wh, config=wh.config, run_id="r1")
    assert key in str(exc.value)
    assert zone.exists(key) and not zone.exists(QUARANTINE_PREFIX + key)
    assert wh.hook.get_first("select count(*) from C360.raw_meta.load_history")[0] == 0
    wh.setup()
    r = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config, run_id="r1")
    assert [(x.key, x.rows) for x in r.loaded] == [(key, 6)]


def test_unresolved_failures_and_resolution_on_snowflake(snow, zone):
    """The load-history state of a rejected file, with the production SQL."""
    from include.c360.ingest.run import resolve_failed

    wh = _warehouse(snow)
    wh.setup()
    src = source("campaigns")
    cols = rows_for(src, 5, date(2026, 11, 24))
    cols["channel_name"] = cols.pop("channel")
    bad = src.file_key(date(2026, 11, 24))
    with zone.open_writer(bad) as fh:
        fh.write(encode(src, cols))
    with pytest.raises(IngestError, match="column 'channel'"):
        ingest(src, *RUN, zone=zone, wh=wh, config=wh.config, run_id="r1")
    with pytest.raises(IngestError, match="still unresolved"):  # its retry
        ingest(src, *RUN, zone=zone, wh=wh, config=wh.config, run_id="r1")
    assert [f.key for f in wh.unresolved_failures(src, "r1")] == [bad]
    assert wh.unresolved_failures(src, "other run") == []
    resolve_failed(src, [bad], wh, "ops")
    assert wh.unresolved_failures(src) == []
    assert ingest(src, *RUN, zone=zone, wh=wh, config=wh.config, run_id="r1").unresolved == []


def test_a_day_never_delivered_is_found_in_the_snowflake_load_history(snow, zone):
    """The gap rule on the Snowflake loader: its load history (``recorded_files.sql``) knows
    the 22nd and the 24th of orders, not the 23rd; the late 23rd then loads and closes it."""
    wh = _warehouse(snow)
    wh.setup()
    src = source("orders")
    for d in (22, 24):
        write_export(zone, src, date(2026, 11, d), 3, seed=d)
    with pytest.raises(IngestError, match=r"orders: 1 day\(s\) never delivered.*dt=2026-11-23"):
        ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(lookback_days=2), run_id="r1")
    assert wh.recorded_files(src) == {src.file_key(date(2026, 11, d)) for d in (22, 24)}
    key = write_export(zone, src, date(2026, 11, 23), 4, seed=23)
    r = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(lookback_days=0), run_id="r2")
    assert [x.key for x in r.loaded] == [key] and r.gaps == []
