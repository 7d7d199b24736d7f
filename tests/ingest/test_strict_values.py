"""Strict typing at the door: a value loads only when it converts exactly to its column's type.

A fractional number in an int column, a JSON object or array where a scalar belongs, a date with
a time of day: the file is a bad file whose error names file, row, column and value (nothing of
it loads). A timestamp with an offset or zone is converted to UTC, and a time-zone-aware Parquet
timestamp loads the same whatever the loading process's ``TZ``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from include.c360.ingest.config import QUARANTINE_PREFIX, IngestConfig
from include.c360.ingest.run import ingest
from include.c360.sources import Source, source
from tests.ingest.exports import (
    OFFSET_TIMESTAMPS,
    OFFSETS_IN_UTC,
    encode,
    export_key,
    export_with,
    rows_for,
    write_bytes,
    write_export,
)

pytestmark = pytest.mark.timeout(60)

GOOD_DAY, BAD_DAY = date(2026, 11, 23), date(2026, 11, 24)
RUN = (datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
CONTINUE = IngestConfig(on_error="continue", lookback_days=1)
REPO = Path(__file__).resolve().parents[2]


def _with(column: str, row: int, value) -> Callable[[Source], bytes]:
    return lambda src: export_with(src, BAD_DAY, 6, column, {row: value})


# (source, column, row, bytes builder, what the error must say)
INEXACT = {
    "fraction_in_int_csv": ("orders", "quantity", 3,
                            _with("quantity", 3, "2.5"),
                            "value '2.5' is not a valid int: it has a fractional part"),
    "time_of_day_in_date_csv": ("orders", "order_date", 2,
                                _with("order_date", 2, "2026-11-24 11:30:00"),
                                "value '2026-11-24 11:30:00' is not a valid date"),
    "object_in_string_ndjson": ("events", "event_id", 4,
                                _with("event_id", 4, {"nested": True}),
                                "value '{\"nested\":true}' is a JSON object, not a varchar"),
    "array_in_string_ndjson": ("events", "browser", 5,
                               _with("browser", 5, ["chrome", "safari"]),
                               "is a JSON array, not a varchar"),
    "object_in_timestamp_ndjson": ("events", "event_timestamp", 2,
                                   _with("event_timestamp", 2, {"t": 1}),
                                   "is a JSON object, not a timestamp"),
    "number_in_timestamp_ndjson": ("events", "event_timestamp", 6,
                                   _with("event_timestamp", 6, 12.5),
                                   "value '12.5' is not a valid timestamp"),
}


@pytest.mark.parametrize("case", list(INEXACT))
def test_a_value_that_does_not_convert_exactly_is_a_bad_row(case, env, zone, wh):
    name, column, row, build, says = INEXACT[case]
    src = source(name)
    good = write_export(zone, src, GOOD_DAY, 5, hour=5)
    key = write_bytes(zone, src, BAD_DAY, build(src))
    report = ingest(src, *RUN, zone=zone, wh=wh, config=CONTINUE)
    assert [r.key for r in report.loaded] == [good]
    [err] = report.errors
    assert (err.key, err.row, err.column) == (key, row, column)
    assert str(err).startswith(f"file {key} row {row}, column {column!r}: ")
    assert says in str(err)
    assert wh.con.execute(f"select count(*) from raw.{name} where _source_file = ?",
                          [key]).fetchone()[0] == 0
    assert zone.exists(QUARANTINE_PREFIX + key) and not zone.exists(key)


def test_whole_numbers_written_as_decimals_and_blank_fields_still_load(env, zone, wh):
    src = source("orders")
    cols = rows_for(src, 4, BAD_DAY, seed=7)
    cols["quantity"] = ["3.0", "4", "", None]
    key = write_bytes(zone, src, BAD_DAY, encode(src, cols))
    report = ingest(src, *RUN, zone=zone, wh=wh, config=CONTINUE)
    assert report.errors == [] and [r.key for r in report.loaded] == [key]
    assert wh.con.execute("select quantity from raw.orders order by _source_row_number"
                          ).fetchall() == [(3,), (4,), (None,), (None,)]


@pytest.mark.parametrize("name,column", [("campaigns", "sent_at"), ("events", "event_timestamp"),
                                         ("transactions", "transaction_date")])
def test_timestamps_with_an_offset_are_converted_to_utc(name, column, env, zone, wh):
    """CSV text, NDJSON strings, Parquet strings: the same instant, stored in UTC."""
    src = source(name)
    n = len(OFFSET_TIMESTAMPS)
    key = write_bytes(zone, src, BAD_DAY, export_with(src, BAD_DAY, n, column,
                                        dict(enumerate(OFFSET_TIMESTAMPS, 1))))
    report = ingest(src, *RUN, zone=zone, wh=wh, config=CONTINUE)
    assert report.errors == [] and [r.key for r in report.loaded] == [key]
    got = wh.con.execute(f"select {column} from raw.{name} order by _source_row_number"
                         ).fetchall()
    assert got == [(OFFSETS_IN_UTC,)] * n


_LOAD_IN_TZ = """
import sys
from datetime import UTC, datetime
from include.c360.ingest.config import IngestConfig
from include.c360.ingest.duckdb_loader import DuckDBLoader
from include.c360.ingest.run import ingest
from include.c360.landing import LocalLandingZone
from include.c360.sources import source
landing, db = sys.argv[1:]
with DuckDBLoader(db, IngestConfig(lookback_days=1)) as wh:
    wh.setup()
    ingest(source("transactions"), datetime(2026, 11, 24, tzinfo=UTC),
           datetime(2026, 11, 25, tzinfo=UTC), zone=LocalLandingZone(landing), wh=wh,
           config=wh.config)
    for (v,) in wh.con.execute("select transaction_date from raw.transactions "
                               "order by _source_row_number").fetchall():
        print(v.isoformat())
"""


def test_time_zone_aware_parquet_loads_the_same_whatever_the_process_tz(env, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = source("transactions")
    cols = rows_for(src, 3, BAD_DAY, seed=7)
    kolkata = timezone(timedelta(hours=5, minutes=30))
    instants = [datetime(2024, 12, 10, 11, 34, 37, tzinfo=kolkata),
                datetime(2024, 12, 10, 6, 4, 37, tzinfo=UTC),
                datetime(2024, 12, 31, 23, 30, tzinfo=UTC)]
    table = pa.table({c.name: (pa.array(instants, pa.timestamp("us", tz="Asia/Kolkata"))
                               if c.name == "transaction_date" else cols[c.name])
                      for c in src.raw_columns})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    landing = tmp_path / "landing"
    (landing / Path(export_key(src, BAD_DAY)).parent).mkdir(parents=True)
    (landing / export_key(src, BAD_DAY)).write_bytes(buf.getvalue())
    want = [i.astimezone(UTC).replace(tzinfo=None).isoformat() for i in instants]
    for tz in ("UTC", "America/New_York", "Asia/Tokyo"):
        out = subprocess.run(
            [sys.executable, "-c", _LOAD_IN_TZ, str(landing), str(tmp_path / f"{tz[:4]}.duckdb")],
            env={**os.environ, "TZ": tz, "PYTHONPATH": str(REPO)}, cwd=REPO,
            capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.split() == want, tz
