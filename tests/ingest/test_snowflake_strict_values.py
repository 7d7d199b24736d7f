"""Strict typing at the door on the Snowflake path (fakesnow in this process, ``conftest.snow``):
the same rules as the DuckDB path (``test_strict_values.py``).

``COPY INTO ... SELECT $1:col::TYPE`` alone rounds ``2.5`` into an integer column, loads a JSON
object into a string column as its text and, into ``TIMESTAMP_NTZ``, drops a timestamp's
offset. Here such a file is ``FAILED`` in the load history with its row, column and value, it
is quarantined, the batch's other file loads; offsets are converted to UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from include.c360.ingest.config import QUARANTINE_PREFIX
from include.c360.ingest.run import ingest
from include.c360.sources import source
from tests.ingest.conftest import run_pipe_check, snowflake_loader
from tests.ingest.exports import (
    OFFSET_TIMESTAMPS,
    OFFSETS_IN_UTC,
    export_with,
    write_bytes,
    write_export,
)

pytestmark = pytest.mark.timeout(60)
GOOD_DAY, BAD_DAY = date(2026, 11, 23), date(2026, 11, 24)
RUN = (datetime(2026, 11, 24, 2, tzinfo=UTC), datetime(2026, 11, 25, 2, tzinfo=UTC))


# (source, (column, row, value), what the error must say)
INEXACT = {
    "fraction_in_int": ("orders", ("quantity", 3, "2.5"),
                        "value '2.5' is not a valid int: it has a fractional part"),
    "object_in_string": ("events", ("event_id", 4, {"nested": True}),
                         "value '{\"nested\":true}' is a JSON object, not a varchar"),
}


def _history(wh, key: str) -> list[tuple]:
    return [tuple(r) for r in wh.hook.get_records(
        "select status, error_row, error_column, error_message, quarantine_key "
        "from C360.raw_meta.load_history where file_key = %(k)s order by finished_at",
        parameters={"k": key})]


@pytest.mark.parametrize("case", list(INEXACT))
def test_a_value_that_does_not_convert_exactly_fails_its_file_on_snowflake(case, snow, zone):
    name, (column, row, value), says = INEXACT[case]
    wh = snowflake_loader(snow, on_error="continue")
    wh.setup()
    src = source(name)
    good = write_export(zone, src, GOOD_DAY, 5, hour=5)
    bad = write_bytes(zone, src, BAD_DAY, export_with(src, BAD_DAY, 6, column, {row: value}))
    r = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config, run_id="r1")
    assert [(x.key, x.rows) for x in r.loaded] == [(good, 5)]
    [err] = r.errors
    assert (err.key, err.row, err.column) == (bad, row, column)
    (status, err_row, err_col, message, qkey), = _history(wh, bad)
    assert (status, err_row, err_col, qkey) == ("FAILED", row, column, QUARANTINE_PREFIX + bad)
    assert message.startswith(f"file {bad} row {row}, column {column!r}: ") and says in message
    assert zone.exists(QUARANTINE_PREFIX + bad) and not zone.exists(bad)
    assert [tuple(x) for x in wh.hook.get_records(
        f"select _source_file, count(*) from C360.raw.{name} group by 1")] == [(good, 5)]


@pytest.mark.parametrize(("name", "column"), [("campaigns", "sent_at"),
                                              ("events", "event_timestamp"),
                                              ("transactions", "transaction_date")])
def test_timestamps_with_an_offset_load_as_utc_on_snowflake(name, column, snow, zone):
    """CSV text, NDJSON strings, Parquet strings: one instant, stored in UTC (TIMESTAMP_NTZ),
    and a timestamp without an offset is UTC, whatever the account's time zone (fakesnow's
    DuckDB zone set to Los Angeles stands for an account TIMEZONE that is not UTC)."""
    wh = snowflake_loader(snow, on_error="continue")
    wh.setup()
    cur = wh.hook.get_conn().cursor()
    cur._duck_conn.execute("set global TimeZone = 'America/Los_Angeles'")
    src = source(name)
    n = len(OFFSET_TIMESTAMPS)
    key = write_bytes(zone, src, BAD_DAY, export_with(src, BAD_DAY, n, column,
                                        dict(enumerate(OFFSET_TIMESTAMPS, 1))))
    r = ingest(src, *RUN, zone=zone, wh=wh, config=wh.config)
    assert r.errors == [] and [x.key for x in r.loaded] == [key]
    got = wh.hook.get_records(f"select {column} from C360.raw.{name} "
                              "order by _source_row_number")
    assert [tuple(g) for g in got] == [(OFFSETS_IN_UTC,)] * n


def test_a_file_whose_offsets_the_pipe_dropped_is_reloaded_in_utc(snow, zone, monkeypatch):
    """Snowpipe's COPY stores TIMESTAMP_NTZ (its session zone is the account's, so an offset
    cannot be converted there): the pipe check reloads such a file through the loader's COPY,
    its rows replaced by the UTC instants; a file without offsets is recorded as the pipe
    loaded it."""
    wh = snowflake_loader(snow, on_error="continue")
    wh.setup()
    src = source("events")
    plain = write_export(zone, src, GOOD_DAY, 5, hour=5)
    n = len(OFFSET_TIMESTAMPS)
    offsets = write_bytes(zone, src, BAD_DAY, export_with(
        src, BAD_DAY, n, "event_timestamp", dict(enumerate(OFFSET_TIMESTAMPS, 1))))
    summary = run_pipe_check(wh, monkeypatch, src, zone, {plain: 5, offsets: n})
    assert summary["errors"] == [] and summary["newly_recorded"] == 2
    assert [tuple(r) for r in wh.hook.get_records(
        "select event_timestamp from C360.raw.events where _source_file = %(k)s "
        "order by _source_row_number", parameters={"k": offsets})] == [(OFFSETS_IN_UTC,)] * n
    assert wh.hook.get_first("select count(*), count(event_timestamp) from C360.raw.events "
                             "where _source_file = %(k)s", parameters={"k": plain}) == (5, 0)
    assert [h[0] for h in _history(wh, offsets)] == ["LOADED"]
    assert [h[0] for h in _history(wh, plain)] == ["LOADED"]


def test_the_loaders_copy_converts_timestamps_and_the_pipes_copy_keeps_them_ntz():
    """The pipe's session zone is the account's: converting there would shift every timestamp
    without an offset, so its COPY stores TIMESTAMP_NTZ (and the pipe check reloads a file
    whose offsets that drops, above); the loader's COPY, in its UTC session, converts."""
    from include.c360.ingest.sql import render
    from include.c360.warehouse.sql import split_statements

    params = {"database": "C360", "raw_schema": "raw", "meta_schema": "raw_meta",
              "landing_url": "s3://c360-landing/landing", "storage_integration": "",
              "aws_role_arn": "", "pii_reader_role": "C360_PII_READER"}
    src = source("events")
    copy = render("snowflake/copy_file.sql", params=params, src=src, key="events/x",
                  stage_path="x")
    assert "convert_timezone('UTC', $1:event_timestamp::timestamp_tz)::TIMESTAMP_NTZ" in copy
    pipes = split_statements(render("snowflake/setup/07_pipes.sql", params=params))
    events_pipe = next(p for p in pipes if "events_pipe" in p)
    assert "$1:event_timestamp::TIMESTAMP_NTZ," in events_pipe
    assert "::timestamp_tz" not in events_pipe
    assert split_statements(render("snowflake/session.sql", params=params)) == [
        "alter session set timezone = 'UTC'"]
