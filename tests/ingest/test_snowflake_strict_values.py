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
from tests.ingest.conftest import snowflake_loader
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
