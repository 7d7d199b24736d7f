"""The production landing zone (S3 through the amazon provider) against a local moto server:
upload, list, sensor poke, load into DuckDB, quarantine inside the bucket."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from include.c360.ingest.config import QUARANTINE_PREFIX, IngestConfig
from include.c360.ingest.run import ingest
from include.c360.sources import source
from tests.ingest.conftest import BUCKET
from tests.ingest.exports import write_export

pytestmark = pytest.mark.timeout(90)

UTC = UTC


def _render(template: str, when: datetime) -> str:
    import jinja2

    e = jinja2.Environment()
    e.filters["ds"] = lambda d: d.strftime("%Y-%m-%d")
    return e.from_string(template).render(data_interval_start=when)


def test_upload_list_sense_and_load_from_s3(s3_env, wh):
    from include.c360.ingest import tasks
    from include.c360.ingest.dag_parts import landing_wait
    from include.c360.landing import S3LandingZone, landing_zone

    zone = landing_zone()
    assert isinstance(zone, S3LandingZone) and zone.bucket == BUCKET
    orders, events = source("orders"), source("events")
    k1 = write_export(zone, orders, date(2026, 11, 23), 12)
    k2 = write_export(zone, orders, date(2026, 11, 24), 8, seed=1)
    k3 = write_export(zone, events, date(2026, 11, 24), 30, hour=7)
    assert [f.key for f in zone.list("orders/")] == [k1, k2]
    assert s3_env["client"].head_object(Bucket=BUCKET, Key=f"landing/{k3}")["ContentLength"] > 0

    # the S3KeySensor the DAG uses waits on the interval's partition (hourly for events)
    sensor = landing_wait(events, check_task=None)
    assert type(sensor).__name__ == "S3KeySensor" and sensor.mode == "reschedule"
    sensor.bucket_key = _render(sensor.bucket_key, datetime(2026, 11, 24, 7, tzinfo=UTC))
    assert sensor.bucket_key == "landing/events/dt=2026-11-24/hr=07/*.ndjson.gz"
    assert sensor.poke({}) is True
    sensor.bucket_key = "landing/events/dt=2026-11-24/hr=08/*.ndjson.gz"
    assert sensor.poke({}) is False

    # the load task itself, as the DAG calls it, reading S3 through landing.local_copy
    out = tasks.ingest_source(
        "orders", data_interval_start=datetime(2026, 11, 24, 2, tzinfo=UTC),
        data_interval_end=datetime(2026, 11, 25, 2, tzinfo=UTC), params={"lookback_days": 2},
        run_id="scheduled__s3")
    assert out["loaded_files"] == 2 and out["rows"] == 20
    wh.close()
    assert wh.con.execute("select _source_file, count(*) from raw.orders group by 1 order by 1"
                          ).fetchall() == [(k1, 12), (k2, 8)]
    etags = dict(wh.con.execute("select file_key, file_etag from raw_meta.load_history"
                                ).fetchall())
    assert etags[k1] == s3_env["client"].head_object(
        Bucket=BUCKET, Key=f"landing/{k1}")["ETag"].strip('"')
    wh.close()
    again = tasks.ingest_source(
        "orders", data_interval_start=datetime(2026, 11, 24, 2, tzinfo=UTC),
        data_interval_end=datetime(2026, 11, 25, 2, tzinfo=UTC), params={}, run_id="retry")
    assert again["loaded_files"] == 0 and again["skipped_files"] == 2


def test_bad_file_in_s3_is_moved_to_the_quarantine_prefix(s3_env, wh):
    from include.c360.landing import landing_zone

    zone = landing_zone()
    src = source("transactions")
    good = write_export(zone, src, date(2026, 11, 24), 10)
    bad = src.file_key(datetime(2026, 11, 24, 13, 15))
    with zone.open_writer(bad) as fh:
        fh.write(b"PAR1 this is not parquet")
    report = ingest(src, datetime(2026, 11, 24, 13, tzinfo=UTC),
                    datetime(2026, 11, 24, 13, 15, tzinfo=UTC), zone=zone, wh=wh,
                    config=IngestConfig(on_error="continue"))
    assert [r.key for r in report.loaded] == [good]
    assert len(report.errors) == 1 and bad in str(report.errors[0])
    keys = {o["Key"] for o in s3_env["client"].list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert f"landing/{QUARANTINE_PREFIX}{bad}" in keys and f"landing/{bad}" not in keys


def test_s3_quarantine_checks_the_copy_before_deleting_and_never_overwrites(s3_env, wh,
                                                                           monkeypatch):
    from include.c360.landing import landing_zone

    zone = landing_zone()
    src = source("orders")
    bad = src.file_key(date(2026, 11, 24))
    with zone.open_writer(bad) as fh:
        fh.write(b"not gzip at all")

    def keys() -> set[str]:
        return {o["Key"].removeprefix("landing/") for o in
                s3_env["client"].list_objects_v2(Bucket=BUCKET).get("Contents", [])}

    run = (datetime(2026, 11, 24, 2, tzinfo=UTC), datetime(2026, 11, 25, 2, tzinfo=UTC))
    cfg = IngestConfig(on_error="continue")
    monkeypatch.setattr(zone.hook, "copy_object", lambda *a, **k: None)  # a copy that got lost
    with pytest.raises(OSError, match="the original is kept"):
        ingest(src, *run, zone=zone, wh=wh, config=cfg)
    assert keys() == {bad}  # not deleted
    monkeypatch.undo()

    ingest(src, *run, zone=zone, wh=wh, config=cfg)
    assert keys() == {QUARANTINE_PREFIX + bad}
    with zone.open_writer(bad) as fh:  # re-exported, still bad
        fh.write(b"still not gzip")
    ingest(src, *run, zone=zone, wh=wh, config=cfg)
    second = QUARANTINE_PREFIX + bad.removesuffix(".csv.gz") + ".1.csv.gz"
    assert keys() == {QUARANTINE_PREFIX + bad, second}
    with zone.open(QUARANTINE_PREFIX + bad) as fh:
        assert fh.read() == b"not gzip at all"
    with pytest.raises(FileExistsError):
        zone.move(second, QUARANTINE_PREFIX + bad)
