"""Gaps are found, not skipped: after an outage or a pause longer than the lookback (the
DAGs run with catchup=False, so the runs in between never happen), the next run lists every
partition since the last loaded one; further back than max_catchup_days it fails naming the
gap and loads nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from include.c360.ingest.config import IngestConfig
from include.c360.ingest.plan import CatchUpTooLong
from include.c360.ingest.run import ingest
from include.c360.sources import source
from tests.ingest.exports import write_export

DAY1 = datetime(2026, 11, 10, tzinfo=UTC)


def _landed(zone, src, n: int, rows=lambda i: 3) -> list[datetime]:
    """One export a day for ``n`` days from DAY1 (``rows(i)`` rows on day i); the days."""
    days = [DAY1 + timedelta(days=i) for i in range(n)]
    for i, d in enumerate(days):
        write_export(zone, src, d.date(), rows(i), seed=i)
    return days


def _run(src, day: datetime, wh, zone, **cfg):
    return ingest(src, day, day + timedelta(days=1), zone=zone, wh=wh,
                  config=IngestConfig(lookback_days=2, **cfg), run_id=f"run_{day:%F}")


def test_a_five_day_outage_loads_every_partition_of_the_gap(env, zone, wh):
    src = source("support_tickets")
    days = _landed(zone, src, 7, rows=lambda i: 5 + i)
    first = _run(src, days[0], wh, zone)  # the interval 10th .. 11th: both partitions
    assert len(first.loaded) == 2
    # scheduler down from the 11th to the 15th; catchup=False: the next run is the 16th's,
    # whose lookback alone (14th .. 17th) would never list the 12th and the 13th
    r = _run(src, days[6], wh, zone)
    assert sorted(x.key for x in r.loaded) == [src.file_key(d.date()) for d in days[2:]]
    n = wh.con.execute("select count(*) from raw.support_tickets").fetchone()[0]
    assert n == sum(5 + i for i in range(7))
    # the next day's run is back to the lookback alone and loads nothing twice
    again = _run(src, days[6] + timedelta(days=1), wh, zone)
    assert again.loaded == []


def test_an_hourly_source_catches_up_its_hours(env, zone, wh):
    src = source("events")
    assert src.partition == "hour"
    days = [DAY1 + timedelta(days=i) for i in range(5)]
    keys = [write_export(zone, src, d.date(), 4, hour=13, seed=i) for i, d in enumerate(days)]
    _run(src, days[0], wh, zone)
    r = _run(src, days[4], wh, zone)
    assert sorted(x.key for x in r.loaded) == keys[2:]


def test_a_gap_longer_than_max_catchup_days_fails_naming_it_and_loads_nothing(env, zone, wh):
    src = source("orders")
    days = _landed(zone, src, 12)
    _run(src, days[0], wh, zone)
    with pytest.raises(CatchUpTooLong) as exc:
        _run(src, days[11], wh, zone, max_catchup_days=7)
    msg = str(exc.value)
    assert "dt=2026-11-11" in msg and "dt=2026-11-12 .. dt=2026-11-18" in msg
    assert "max_catchup_days" in msg and "airflow backfill create" in msg
    n = wh.con.execute("select count(*) from raw.orders").fetchone()[0]
    assert n == 6  # the first run's two files; nothing of this interval: the operator decides
    # the Param raised: that run lists and loads the whole gap
    r = _run(src, days[11], wh, zone, max_catchup_days=10)
    assert len(r.loaded) == 10


def test_a_backfill_of_an_older_interval_is_not_extended(env, zone, wh):
    src = source("support_tickets")
    days = _landed(zone, src, 8)
    _run(src, days[7], wh, zone)
    # an older interval: the last loaded partition is after it, only its own lookback is listed
    r = _run(src, days[3], wh, zone)
    assert sorted(x.key for x in r.loaded) == [src.file_key(d.date()) for d in days[1:5]]


def test_the_params_default_is_the_deployments_setting(monkeypatch):
    from include.c360.ingest.dag_parts import ingest_params

    names = {"max_catchup_days": "C360_INGEST_MAX_CATCHUP_DAYS",
             "lookback_days": "C360_INGEST_LOOKBACK_DAYS", "on_error": "C360_INGEST_ON_ERROR",
             "on_changed_file": "C360_INGEST_ON_CHANGED_FILE"}
    for env in names.values():
        monkeypatch.delenv(env, raising=False)
    assert {k: ingest_params()[k].value for k in names} == {
        "max_catchup_days": 31, "lookback_days": 2, "on_error": "fail",
        "on_changed_file": "reload"}
    for env, value in zip(names.values(), ("5", "4", "CONTINUE", "reject"), strict=True):
        monkeypatch.setenv(env, value)
    assert {k: ingest_params()[k].value for k in names} == {
        "max_catchup_days": 5, "lookback_days": 4, "on_error": "continue",
        "on_changed_file": "reject"}
    assert IngestConfig.from_env({"max_catchup_days": "9"}).max_catchup_days == 9
