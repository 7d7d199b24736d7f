"""Loading the generator's exports into DuckDB RAW tables: counts, metadata, idempotency."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import pytest

from include.c360.ingest.config import IngestConfig
from include.c360.ingest.run import ingest
from include.c360.sources import SOURCES, source
from tests.ingest.conftest import AS_OF, HISTORY_DAYS, copy_landing
from tests.ingest.helpers import file_row_count, raw_checksum

pytestmark = pytest.mark.timeout(120)

UTC = UTC
HISTORY_START = datetime.combine(AS_OF - timedelta(days=HISTORY_DAYS - 1), datetime.min.time(),
                                 UTC)
HISTORY_END = datetime.combine(AS_OF, datetime.min.time(), UTC) + timedelta(days=1)


def _backfill(zone, wh, cfg=None, days=None):
    """One run per day over the history, as a scheduler backfill would (daily sources)."""
    cfg = cfg or IngestConfig(lookback_days=2)
    reports = []
    for s in SOURCES:
        for i in range(days or HISTORY_DAYS):
            start = HISTORY_START + timedelta(days=i)
            reports.append(ingest(s, start, start + timedelta(days=1), zone=zone, wh=wh,
                                  config=cfg, run_id=f"backfill_{i}"))
    return reports


def test_every_source_loads_history_with_counts_and_metadata(generated, env, zone, wh):
    copy_landing(generated["root"] / "history", env["landing"])
    _backfill(zone, wh)
    summaries = generated["history"].by_source()
    for s in SOURCES:
        raw_rows = wh.con.execute(f"select count(*) from raw.{s.name}").fetchone()[0]
        assert raw_rows == summaries[s.name].rows, s.name
        per_file = dict(wh.con.execute(
            f"select _source_file, count(*) from raw.{s.name} group by 1").fetchall())
        for key in summaries[s.name].keys:
            n = file_row_count(s, env["landing"] / key)
            assert per_file.get(key, 0) == n, key
        # _source_row_number is 1..n inside each file, _loaded_at is set
        bad = wh.con.execute(f"""
            select _source_file from raw.{s.name}
            group by 1
            having min(_source_row_number) <> 1 or max(_source_row_number) <> count(*)
                or count(distinct _source_row_number) <> count(*) or count(_loaded_at) <> count(*)
        """).fetchall()
        assert bad == [], s.name
        history = wh.con.execute(
            "select count(*), sum(row_count) from raw_meta.load_history "
            "where source = ? and status = 'LOADED'", [s.name]).fetchone()
        assert history == (summaries[s.name].files, summaries[s.name].rows), s.name


def test_loaded_values_match_the_file_row_by_row(generated, env, zone, wh):
    copy_landing(generated["root"] / "history", env["landing"])
    src = source("orders")
    key = generated["history"].by_source()["orders"].keys[-1]
    ingest(src, HISTORY_END - timedelta(days=1), HISTORY_END, zone=zone, wh=wh,
           config=IngestConfig(lookback_days=0))
    with gzip.open(env["landing"] / key, "rt") as fh:
        lines = fh.read().splitlines()
    import csv

    rows = list(csv.reader(lines))
    assert rows[0] == [c.name for c in src.raw_columns]
    third = rows[3]  # data row 3
    got = wh.con.execute(
        "select order_id, customer_id, strftime(order_date, '%Y-%m-%d'), quantity "
        "from raw.orders where _source_file = ? and _source_row_number = 3", [key]).fetchone()
    assert got == (third[0], third[1] or None, third[2], int(third[6]))


def test_increment_day_hourly_and_micro_batch_files(generated, env, zone, wh):
    copy_landing(generated["root"] / "day", env["landing"])
    day = datetime(2026, 11, 25, tzinfo=UTC)
    for s in (source("events"), source("transactions")):
        step = timedelta(hours=1) if s.name == "events" else timedelta(minutes=15)
        t = day
        while t < day + timedelta(days=1):
            ingest(s, t, t + step, zone=zone, wh=wh, config=IngestConfig(lookback_days=1))
            t += step
        summary = generated["day"].by_source()[s.name]
        assert summary.files == 24
        assert wh.con.execute(f"select count(*) from raw.{s.name}").fetchone()[0] == summary.rows
        assert wh.con.execute(
            f"select count(distinct _source_file) from raw.{s.name}").fetchone()[0] <= 24


def test_rerun_and_backfill_load_nothing_twice(generated, env, zone, wh):
    copy_landing(generated["root"] / "history", env["landing"])
    _backfill(zone, wh)
    before = raw_checksum(wh.con)
    hist_before = wh.con.execute("select count(*) from raw_meta.load_history").fetchone()[0]
    # the same runs again (retries / cleared runs) and one wide backfill over everything
    again = _backfill(zone, wh)
    assert sum(len(r.loaded) for r in again) == 0
    wide = ingest(source("orders"), HISTORY_START, HISTORY_END, zone=zone, wh=wh,
                  config=IngestConfig(lookback_days=5))
    assert wide.loaded == [] and len(wide.skipped) == HISTORY_DAYS
    assert raw_checksum(wh.con) == before
    assert wh.con.execute("select count(*) from raw_meta.load_history").fetchone()[0] == hist_before


def test_touched_but_identical_file_is_not_reloaded(generated, env, zone, wh):
    import os

    copy_landing(generated["root"] / "history", env["landing"])
    src = source("customers")
    ingest(src, HISTORY_START, HISTORY_END, zone=zone, wh=wh, config=IngestConfig())
    before = raw_checksum(wh.con)
    key = generated["history"].by_source()["customers"].keys[3]
    os.utime(env["landing"] / key, None)  # new mtime -> new local ETag, same bytes
    r = ingest(src, HISTORY_START, HISTORY_END, zone=zone, wh=wh, config=IngestConfig())
    assert r.loaded == [] and r.changed == []
    assert raw_checksum(wh.con) == before


def test_late_file_is_picked_up_by_a_later_run(env, zone, wh):
    from tests.ingest.exports import write_export

    src = source("support_tickets")
    d1 = datetime(2026, 11, 20, tzinfo=UTC)
    write_export(zone, src, d1.date(), 10)
    ingest(src, d1, d1 + timedelta(days=1), zone=zone, wh=wh, config=IngestConfig())
    # the 19th's export lands late, after its own run; the next day's run (lookback 2) loads it
    write_export(zone, src, (d1 - timedelta(days=1)).date(), 7, seed=1)
    r = ingest(src, d1 + timedelta(days=1), d1 + timedelta(days=2), zone=zone, wh=wh,
               config=IngestConfig(lookback_days=2))
    assert [x.rows for x in r.loaded] == [7]
    assert wh.con.execute("select count(*) from raw.support_tickets").fetchone()[0] == 17


def test_products_truncate_insert_keeps_only_the_newest_snapshot(env, zone, wh):
    from tests.ingest.exports import write_export

    src = source("products")
    first = datetime(2026, 11, 16, tzinfo=UTC)
    write_export(zone, src, first.date(), 30)
    ingest(src, first - timedelta(days=7), first + timedelta(hours=2), zone=zone, wh=wh,
           config=IngestConfig())
    assert wh.con.execute("select count(*) from raw.products").fetchone()[0] == 30
    second = first + timedelta(days=7)
    write_export(zone, src, second.date(), 25, seed=3)
    r = ingest(src, first + timedelta(hours=2), second + timedelta(hours=2), zone=zone, wh=wh,
               config=IngestConfig())
    assert [(x.rows, x.replaced_rows) for x in r.loaded] == [(25, 30)]
    files = wh.con.execute("select distinct _source_file from raw.products").fetchall()
    assert files == [(src.file_key(second.date()),)]
    # re-running the weekly run is a no-op
    again = ingest(src, first + timedelta(hours=2), second + timedelta(hours=2), zone=zone,
                   wh=wh, config=IngestConfig())
    assert again.loaded == [] and again.skipped == [src.file_key(second.date())]


def test_a_failure_inside_the_transaction_leaves_nothing_behind(env, zone, wh):
    from tests.ingest.exports import write_export

    src = source("orders")
    for d in range(20, 23):
        write_export(zone, src, datetime(2026, 11, d).date(), 15, seed=d)

    def boom(rows):
        raise RuntimeError("warehouse died while writing the load history")

    wh._insert_history = boom  # an instance override of the loader's last write
    with pytest.raises(RuntimeError, match="warehouse died"):
        ingest(src, datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC),
               zone=zone, wh=wh, config=IngestConfig(lookback_days=2))
    assert wh.con.execute("select count(*) from raw.orders").fetchone()[0] == 0
    del wh._insert_history  # the instance override; the class's method is back
    r = ingest(src, datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC),
               zone=zone, wh=wh, config=IngestConfig(lookback_days=2))  # the retry loads all
    assert r.rows == 45


def test_row_numbers_follow_file_order_in_multi_file_batches(generated, env, zone, wh):
    """A catch-up run loads many files per statement; every file's rows keep their order."""
    import csv
    import json

    import pyarrow.parquet as pq

    copy_landing(generated["root"] / "history", env["landing"])
    for s in SOURCES:
        r = ingest(s, HISTORY_START, HISTORY_END, zone=zone, wh=wh, config=IngestConfig())
        assert r.errors == []
        for key in generated["history"].by_source()[s.name].keys:
            path = env["landing"] / key
            if s.file_format == "csv_gzip":
                with gzip.open(path, "rt", newline="") as fh:
                    rows = list(csv.DictReader(fh))
                expected = [row[s.key] for row in rows]
            elif s.file_format == "ndjson_gzip":
                with gzip.open(path, "rt") as fh:
                    expected = [json.loads(line)[s.key] for line in fh if line.strip()]
            else:
                expected = pq.read_table(path, columns=[s.key]).column(0).to_pylist()
            got = [x[0] for x in wh.con.execute(
                f"select {s.key} from raw.{s.name} where _source_file = ? "
                "order by _source_row_number", [key]).fetchall()]
            assert got == expected, key


def test_setup_is_idempotent_and_keeps_data(env, zone, wh):
    from tests.ingest.exports import write_export

    src = source("customers")
    write_export(zone, src, AS_OF, 6)
    ingest(src, HISTORY_END - timedelta(days=1), HISTORY_END, zone=zone, wh=wh,
           config=IngestConfig())
    before = raw_checksum(wh.con)
    tables = wh.con.execute("select schema_name, table_name, column_count from "
                            "duckdb_tables() order by 1, 2").fetchall()
    wh.setup()
    wh.setup()
    assert raw_checksum(wh.con) == before
    assert wh.con.execute("select schema_name, table_name, column_count from duckdb_tables() "
                          "order by 1, 2").fetchall() == tables
    assert {(s, t) for s, t, _ in tables} == {("raw", s.name) for s in SOURCES} | {
        ("raw_meta", "load_history")}
