"""A day a daily source never delivered (no file under its dt= prefix, no load-history row)
while later days arrived is a gap: the run loads everything else, then fails naming the
source and the days (so the task-failure e-mail names them); every run lists those days again,
so a late delivery loads and closes the gap."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from include.c360.ingest.config import IngestConfig
from include.c360.ingest.plan import day_ranges, partition_gaps
from include.c360.ingest.run import IngestError, ingest
from include.c360.sources import SOURCES, source
from tests.ingest.exports import write_export

DAY1 = date(2026, 11, 10)


def _run(src, day: date, wh, zone, **cfg):
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    return ingest(src, start, start + timedelta(days=1), zone=zone, wh=wh,
                  config=IngestConfig(lookback_days=2, **cfg), run_id=f"run_{day}")


def _rows(wh, table: str) -> int:
    return wh.con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def test_a_day_never_delivered_fails_the_run_after_the_rest_loaded(env, zone, wh):
    src = source("orders")
    days = [DAY1 + timedelta(days=i) for i in range(6)]
    for i, d in enumerate(days):
        if d != days[2]:  # the OMS export of the 12th never arrives
            write_export(zone, src, d, 3, seed=i)
    _run(src, days[1], wh, zone)  # 10th, 11th: nothing missing yet
    with pytest.raises(IngestError) as exc:  # its lookback covers the 12th; the 13th is there
        _run(src, days[4], wh, zone)
    msg = str(exc.value)
    assert "orders: 1 day(s) never delivered" in msg and "dt=2026-11-12" in msg
    assert "orders/dt=<day>/" in msg
    assert _rows(wh, "orders") == 3 * 5  # every delivered day loaded, before the failure
    # days later, the lookback no longer covers the 12th: still reported, under either policy
    with pytest.raises(IngestError, match=r"never delivered.*dt=2026-11-12"):
        _run(src, days[5], wh, zone, on_error="continue")


def test_a_gap_delivered_late_loads_and_closes(env, zone, wh):
    src = source("support_tickets")
    days = [DAY1 + timedelta(days=i) for i in range(8)]
    for i, d in enumerate(days):
        if d not in (days[2], days[3]):
            write_export(zone, src, d, 4, seed=i)
    _run(src, days[0], wh, zone)
    with pytest.raises(IngestError, match=r"2 day\(s\).*dt=2026-11-12 \.\. dt=2026-11-13"):
        _run(src, days[6], wh, zone)
    # the helpdesk re-delivers both days, far outside the next run's lookback (the 15th..)
    write_export(zone, src, days[2], 5, seed=20)
    write_export(zone, src, days[3], 0, seed=21)  # a day with no tickets: an empty export
    r = _run(src, days[7], wh, zone)
    assert sorted(x.key for x in r.loaded) == [src.file_key(days[2]), src.file_key(days[3])]
    assert r.gaps == [] and r.summary()["gaps"] == []
    assert _rows(wh, "support_tickets") == 4 * 6 + 5


def test_an_hourly_source_has_a_gap_only_for_a_day_without_any_hour(env, zone, wh):
    src = source("events")
    for i in (0, 1, 3):
        write_export(zone, src, DAY1 + timedelta(days=i), 2, hour=5 + i, seed=i)
    _run(src, DAY1, wh, zone)
    with pytest.raises(IngestError, match=r"events: 1 day\(s\).*dt=2026-11-12"):
        _run(src, DAY1 + timedelta(days=3), wh, zone)
    assert _rows(wh, "events") == 6


def test_a_rejected_file_is_not_a_gap(env, zone, wh):
    """A delivered but bad file is in the load history and quarantine (ON_ERROR policy),
    not missing."""
    src = source("campaigns")
    for i in (0, 2):
        write_export(zone, src, DAY1 + timedelta(days=i), 3, seed=i)
    with zone.open_writer(src.file_key(DAY1 + timedelta(days=1))) as fh:
        fh.write(b"not gzip")
    r = _run(src, DAY1 + timedelta(days=2), wh, zone, on_error="continue")
    assert r.gaps == [] and len(r.errors) == 1 and len(r.loaded) == 2


def test_which_sources_expect_a_partition_every_day():
    assert {s.name for s in SOURCES if s.daily_partitions} == {
        "customers", "orders", "transactions", "events", "campaigns", "support_tickets"}
    keys = [source("orders").file_key(DAY1 + timedelta(days=i)) for i in (0, 1, 4, 7)]
    assert partition_gaps(source("orders"), keys) == [
        DAY1 + timedelta(days=i) for i in (2, 3, 5, 6)]
    assert partition_gaps(source("products"), keys) == []  # the weekly snapshot
    assert partition_gaps(source("orders"), []) == []
    assert day_ranges(partition_gaps(source("orders"), keys)) == (
        "dt=2026-11-12 .. dt=2026-11-13, dt=2026-11-15 .. dt=2026-11-16")
    assert day_ranges([DAY1 + timedelta(days=2 * i) for i in range(12)], limit=10).endswith(
        "dt=2026-11-28 and 2 more day(s)")
