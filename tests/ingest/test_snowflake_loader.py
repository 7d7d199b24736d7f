"""Defects only the Snowflake path had, each shown on fakesnow in this process (the real
SnowflakeHook and connector; ``conftest.snow``) or, where fakesnow cannot show it, on the
rendered SQL.

* ``_loaded_at`` is UTC whatever the account's (session's) time zone;
* a file the pre-COPY check cannot read is quarantined with its error, the others load;
* missing columns of any NDJSON record (and, in the pipe's check, renamed Parquet columns
  and values that do not convert exactly) fail, never NULLs or inexact values (a renamed
  Parquet column before COPY: ``test_snowflake_sql.py``; values before COPY:
  ``test_snowflake_strict_values.py``);
* Snowflake's "already loaded" answer is not a failure;
* file names, identifiers and URLs reach SQL only through the one escaper / checker.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from include.c360.ingest.config import QUARANTINE_PREFIX
from include.c360.ingest.run import ingest
from include.c360.ingest.sql import render
from include.c360.sources import source
from tests.ingest.conftest import run_pipe_check, snowflake_loader
from tests.ingest.exports import encode, rows_for, write_export

pytestmark = pytest.mark.timeout(60)
RUN = (datetime(2026, 11, 24, 2, tzinfo=UTC), datetime(2026, 11, 25, 2, tzinfo=UTC))
PARAMS = {"database": "C360", "raw_schema": "raw", "meta_schema": "raw_meta",
          "landing_url": "s3://c360-landing/landing", "storage_integration": "",
          "aws_role_arn": "", "pii_reader_role": "C360_PII_READER"}


def _history(wh, key: str) -> list[tuple]:
    return [tuple(r) for r in wh.hook.get_records(
        "select status, row_count, error_row, error_column, error_message, quarantine_key "
        "from C360.raw_meta.load_history where file_key = %(k)s order by finished_at",
        parameters={"k": key})]


def test_loaded_at_is_utc_whatever_the_accounts_time_zone(snow, zone):
    """fakesnow runs on DuckDB: its session zone set to Los Angeles stands for an account
    whose TIMEZONE is not UTC (current_timestamp()::timestamp_ntz is then 8 h behind UTC)."""
    wh = snowflake_loader(snow)
    wh.setup()
    cur = wh.hook.get_conn().cursor()
    cur._duck_conn.execute("set global TimeZone = 'America/Los_Angeles'")
    cur.execute("select current_timestamp()::timestamp_ntz")
    local_wall_clock = cur.fetchone()[0]
    assert abs(datetime.now(UTC).replace(tzinfo=None) - local_wall_clock) > timedelta(hours=7)
    src = source("orders")
    write_export(zone, src, date(2026, 11, 24), 4)
    before = datetime.now(UTC).replace(tzinfo=None)
    ingest(src, *RUN, zone=zone, wh=wh, config=wh.config)
    after = datetime.now(UTC).replace(tzinfo=None)
    lo, hi = wh.hook.get_first("select min(_loaded_at), max(_loaded_at) from C360.raw.orders")
    assert before - timedelta(seconds=5) <= lo <= hi <= after + timedelta(seconds=5)
    # the pipes' COPY (not runnable on fakesnow) shares the same expression
    pipes = render("snowflake/setup/07_pipes.sql", params=PARAMS)
    assert pipes.count("convert_timezone('UTC', current_timestamp())::timestamp_ntz") == 2
    assert "current_timestamp()::timestamp_ntz" not in pipes.replace(
        "convert_timezone('UTC', current_timestamp())::timestamp_ntz", "")


def _gz(text: bytes) -> bytes:
    return gzip.compress(text)


def _unreadable(kind: str) -> tuple[str, bytes]:
    """(source, bytes) of a file the pre-COPY check cannot read as its format."""
    if kind == "corrupt gzip":
        return "orders", b"\x1f\x8b\x08\x00 this is not a deflate stream"
    if kind == "non-UTF-8 header":
        header = ",".join(c.name for c in source("orders").raw_columns).encode()
        return "orders", _gz(b"\xff\xfe" + header.replace(b"order_id", b"ord\xe9r_id") + b"\n")
    if kind == "bad JSON first line":
        return "events", _gz(b'{"event_id": "E1", "user_id": \n')
    if kind == "non-UTF-8 JSON":
        return "events", _gz(b'{"event_id": "\xff\xfe"}\n')
    if kind == "not Parquet":
        return "transactions", b"PAR1 but nothing of a Parquet file"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["corrupt gzip", "non-UTF-8 header", "bad JSON first line",
                                  "non-UTF-8 JSON", "not Parquet"])
def test_a_file_the_precheck_cannot_read_is_quarantined_and_the_others_load(kind, snow, zone):
    wh = snowflake_loader(snow, on_error="continue")
    wh.setup()
    name, data = _unreadable(kind)
    src = source(name)
    good = write_export(zone, src, date(2026, 11, 24), 5, hour=3)
    bad = src.file_key(datetime(2026, 11, 24, 4, 15))
    with zone.open_writer(bad) as fh:
        fh.write(data)
    r = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config, run_id="r1")
    assert [(x.key, x.rows) for x in r.loaded] == [(good, 5)]
    assert [e.key for e in r.errors] == [bad]
    assert zone.exists(QUARANTINE_PREFIX + bad) and not zone.exists(bad)
    (status, rows, _row, _col, message, qkey), = _history(wh, bad)
    assert (status, rows, qkey) == ("FAILED", None, QUARANTINE_PREFIX + bad)
    assert message and bad in message
    assert wh.hook.get_first(f"select count(*) from C360.raw.{name}")[0] == 5


def test_every_ndjson_record_is_checked_not_only_the_first(snow, zone):
    """The third record lacks a key: ``$1:<key>`` would load it as NULL; the file fails."""
    wh = snowflake_loader(snow, on_error="continue")
    wh.setup()
    src = source("events")
    good = write_export(zone, src, date(2026, 11, 24), 4, hour=2)
    cols = rows_for(src, 5, date(2026, 11, 24))
    records = [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]
    dropped = next(c.name for c in src.raw_columns if c.name != src.key)
    del records[2][dropped]
    bad = src.file_key(datetime(2026, 11, 24, 5))
    with zone.open_writer(bad) as fh:
        fh.write(_gz("".join(json.dumps(r, default=str) + "\n" for r in records).encode()))
    r = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config)
    assert [x.key for x in r.loaded] == [good]
    assert [(e.key, e.row, e.column) for e in r.errors] == [(bad, 3, dropped)]
    assert wh.hook.get_first("select count(*) from C360.raw.events")[0] == 4


def test_already_loaded_per_snowflakes_load_metadata_is_recorded_not_quarantined(snow, zone):
    """Our load history lost the file (restored from an older backup, say) while Snowflake's
    64-day load metadata has it: COPY answers "0 files processed". That is a loaded file."""
    wh = snowflake_loader(snow)
    wh.setup()
    src = source("orders")
    key = write_export(zone, src, date(2026, 11, 24), 7)
    ingest(src, *RUN, zone=zone, wh=wh, config=wh.config)
    wh.hook.run("delete from C360.raw_meta.load_history")
    r = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config, run_id="again")
    assert r.errors == [] and [(x.key, x.rows) for x in r.loaded] == [(key, 7)]
    assert zone.exists(key) and not zone.exists(QUARANTINE_PREFIX + key)
    assert _history(wh, key) == [("LOADED", 7, None, None, None, None)]
    assert wh.hook.get_first("select count(*) from C360.raw.orders")[0] == 7


def test_copy_reads_snowflakes_answers():
    """The shapes of COPY's result: rows per file, or the one-column nothing-to-do answer."""
    from include.c360.ingest.errors import FileError
    from include.c360.ingest.snowflake_loader import SnowflakeLoader

    class Cursor:
        def __init__(self, cols, rows):
            self.description = [(c,) for c in cols]
            self._rows = rows

        def fetchall(self):
            return self._rows

    src = source("orders")
    copied = SnowflakeLoader._copied_rows
    assert copied(src, "k", Cursor(["status"], [("Copy executed with 0 files processed.",)])) \
        is None
    cols = ["file", "status", "rows_parsed", "rows_loaded", "first_error"]
    assert copied(src, "k", Cursor(cols, [("s3://b/k", "LOADED", 3, 3, None)])) == 3
    with pytest.raises(FileError, match="bad value"):
        copied(src, "k", Cursor(cols, [("s3://b/k", "LOAD_FAILED", 3, 0, "bad value")]))
    sql = render("snowflake/copy_file.sql", params=PARAMS, src=src, key="orders/x.csv.gz",
                 stage_path="x.csv.gz")
    assert "load_uncertain_files = true" in sql  # our history decides beyond 64 days


def test_a_file_name_with_a_quote_is_escaped_in_copy_and_delete(snow, zone):
    wh = snowflake_loader(snow)
    wh.setup()
    src = source("orders")
    key = "orders/dt=2026-11-24/orders_o'brien.csv.gz"
    sql = render("snowflake/copy_file.sql", params=PARAMS, src=src, key=key,
                 stage_path=key.split("/", 1)[1])
    assert "files = ('dt=2026-11-24/orders_o''brien.csv.gz')" in sql
    assert "'orders/dt=2026-11-24/orders_o''brien.csv.gz', metadata$file_row_number" in sql
    delete = render("snowflake/delete_file_rows.sql", params=PARAMS, src=src, key=key)
    assert delete.rstrip().endswith("_source_file = 'orders/dt=2026-11-24/orders_o''brien.csv.gz';")
    with zone.open_writer(key) as fh:
        fh.write(encode(src, rows_for(src, 3, date(2026, 11, 24))))
    assert [(x.key, x.rows) for x in ingest(src, *RUN, zone=zone, wh=wh,
                                            config=wh.config).loaded] == [(key, 3)]
    with zone.open_writer(key) as fh:  # re-delivered: its rows are replaced, by its name
        fh.write(encode(src, rows_for(src, 2, date(2026, 11, 24), seed=3)))
    r = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config)
    assert [(x.rows, x.replaced_rows) for x in r.loaded] == [(2, 3)]
    assert wh.hook.get_first("select count(*) from C360.raw.orders where _source_file = "
                             "%(k)s", parameters={"k": key})[0] == 2


VALID = {**PARAMS, "storage_integration": "c360_s3",
         "aws_role_arn": "arn:aws:iam::123456789012:role/c360"}


@pytest.mark.parametrize(("param", "value"), [
    ("database", "C360; drop database prod"),
    ("raw_schema", "raw.other"),
    ("meta_schema", "meta'--"),
    ("storage_integration", "s3 integration"),
    ("landing_url", "s3://bucket/x') ; drop stage y; --"),
    ("pii_reader_role", "x') or true or ('"),
])
def test_setup_templates_refuse_what_is_not_an_identifier_or_url(param, value):
    from include.c360.ingest.snowflake_loader import SETUP_FILES

    params = {**VALID, param: value}
    with pytest.raises(ValueError, match="not a valid"):
        for f in SETUP_FILES:
            render(f, params=params)
    for f in SETUP_FILES:  # and with valid values the same files render
        render(f, params={**params, param: VALID[param]})
    # a value that is not a name is a literal, escaped by the one escaper
    integ = render("snowflake/setup/03_storage_integration.sql",
                   params={**VALID, "aws_role_arn": "arn:aws:iam::1:role/x'; drop"})
    assert "storage_aws_role_arn = 'arn:aws:iam::1:role/x''; drop'" in integ


def test_setup_params_and_conf_are_validated_before_a_run(monkeypatch):
    """The setup DAG's Params carry the same patterns (the trigger form and dag_run.conf are
    refused before a run); an ingestion run's conf cannot move a load to another schema."""
    from airflow.sdk.definitions.param import ParamsDict
    from airflow.sdk.exceptions import ParamValidationError

    from include.c360.ingest.config import IngestConfig, setup_overrides
    from include.c360.ingest.dag_parts import setup_params

    monkeypatch.setenv("C360_LANDING", "s3://c360-landing/landing")
    params = setup_params()
    ok = ParamsDict(params)
    ok.update({"database": "ANALYTICS", "landing_url": "s3://other-bucket/in"})
    ok.validate()
    for key, bad in [("database", "x;drop"), ("raw_schema", "a b"), ("meta_schema", ""),
                     ("landing_url", "s3://b/x'"), ("storage_integration", "i-1"),
                     ("aws_role_arn", "role")]:
        conf = ParamsDict(setup_params())
        with pytest.raises(ParamValidationError, match=key):
            conf.update({key: bad})
            conf.validate()
    cfg = IngestConfig.from_env({"raw_schema": "elsewhere", "meta_schema": "x",
                                 "database": "OTHER", "on_error": "continue"})
    assert (cfg.raw_schema, cfg.meta_schema, cfg.database, cfg.on_error) == (
        IngestConfig().raw_schema, IngestConfig().meta_schema, "C360", "continue")
    assert setup_overrides({"raw_schema": "raw2", "on_error": "x"}) == {"raw_schema": "raw2"}
    with pytest.raises(ValueError, match="not a valid SQL identifier"):
        setup_overrides({"meta_schema": "m; drop"})


def _renamed_amount(src) -> bytes:
    cols = rows_for(src, 3, date(2026, 11, 24), seed=1)
    cols["amount_usd"] = cols.pop("amount")
    return encode(src, cols)


def _object_in_event_id(src) -> bytes:
    cols = rows_for(src, 3, date(2026, 11, 24), seed=1)
    records = [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]
    records[1]["event_id"] = {"nested": True}
    return _gz("".join(json.dumps(r, default=str) + "\n" for r in records).encode())


@pytest.mark.parametrize(("name", "build", "row", "column", "says"), [
    ("transactions", _renamed_amount, 0, "amount", "'amount'"),  # Parquet: NULLs in RAW
    ("events", _object_in_event_id, 2, "event_id", "is a JSON object, not a varchar"),  # text
])
def test_a_file_the_pipe_loaded_that_fails_its_check_is_taken_out_and_quarantined(
        name, build, row, column, says, snow, zone, monkeypatch):
    """Snowpipe loads what it is given (a renamed column as NULLs, a JSON object into a string
    column as its text): the pipe check validates each file it loaded before recording it,
    deletes a failing file's rows and quarantines it (``run_pipe_check``: the pipe's answers in
    Snowflake's documented shapes)."""
    wh = snowflake_loader(snow, on_error="continue")
    wh.setup()
    src = source(name)
    good = write_export(zone, src, date(2026, 11, 24), 4)
    bad = src.file_key(datetime(2026, 11, 24, 6, 30))
    with zone.open_writer(bad) as fh:
        fh.write(build(src))
    summary = run_pipe_check(wh, monkeypatch, src, zone, {good: 4, bad: 3})
    assert summary["loaded_by_pipe"] == 1 and summary["newly_recorded"] == 1
    assert len(summary["errors"]) == 1 and says in summary["errors"][0]
    assert [tuple(r) for r in wh.hook.get_records(
        f"select _source_file, count(*) from C360.raw.{name} group by 1")] == [(good, 4)]
    assert zone.exists(QUARANTINE_PREFIX + bad)
    assert _history(wh, bad)[0][:4] == ("FAILED", None, row, column)
    assert _history(wh, good)[0][0] == "LOADED"
