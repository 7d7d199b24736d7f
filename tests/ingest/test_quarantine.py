"""Quarantine cannot lose a file: the rejection is recorded before the move, no quarantined copy
is overwritten, an S3 move deletes the original only once its copy is checked, and a
quarantined file can be released for a reload (Param ``release_quarantined``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from include.c360.ingest.config import QUARANTINE_PREFIX, IngestConfig
from include.c360.ingest.run import IngestError, ingest, release_quarantined
from include.c360.sources import source
from tests.ingest.exports import write_bad_value, write_export

pytestmark = pytest.mark.timeout(60)

DAY = date(2026, 11, 24)
RUN = (datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
CONTINUE = IngestConfig(on_error="continue")


def _history(wh, key: str) -> list[tuple]:
    return wh.con.execute("select status, quarantine_key from raw_meta.load_history "
                          "where file_key = ? order by finished_at", [key]).fetchall()


def test_the_rejection_is_recorded_before_the_file_moves(env, zone, wh, monkeypatch):
    """Writing the FAILED row fails (read-only database, memory): the file stays in its
    partition, not in quarantine without a record; the next try rejects it properly."""
    src = source("orders")
    bad = write_bad_value(zone, src, DAY, 5, "quantity", 2, "two")
    real = wh.record_failure

    def broken(*args, **kwargs):
        raise RuntimeError("the load history is read-only")

    monkeypatch.setattr(wh, "record_failure", broken)
    with pytest.raises(RuntimeError, match="read-only"):
        ingest(src, *RUN, zone=zone, wh=wh, config=CONTINUE)
    assert zone.exists(bad) and not zone.exists(QUARANTINE_PREFIX + bad)
    assert _history(wh, bad) == []

    monkeypatch.setattr(wh, "record_failure", real)
    report = ingest(src, *RUN, zone=zone, wh=wh, config=CONTINUE)
    assert [e.key for e in report.errors] == [bad]
    assert _history(wh, bad) == [("FAILED", QUARANTINE_PREFIX + bad)]
    assert zone.exists(QUARANTINE_PREFIX + bad) and not zone.exists(bad)


def test_a_move_that_fails_leaves_the_file_recorded_and_in_its_partition(env, zone, wh,
                                                                         monkeypatch):
    src = source("orders")
    bad = write_bad_value(zone, src, DAY, 5, "quantity", 2, "two")
    real = zone.move

    def broken(key, dest):
        raise OSError("No space left on device")

    monkeypatch.setattr(zone, "move", broken)
    with pytest.raises(OSError, match="No space"):
        ingest(src, *RUN, zone=zone, wh=wh, config=CONTINUE)
    assert zone.exists(bad) and _history(wh, bad) == [("FAILED", QUARANTINE_PREFIX + bad)]
    monkeypatch.setattr(zone, "move", real)
    ingest(src, *RUN, zone=zone, wh=wh, config=CONTINUE)  # the retry moves it
    assert not zone.exists(bad) and zone.exists(QUARANTINE_PREFIX + bad)


def test_a_second_rejection_of_the_same_key_keeps_the_first_copy(env, zone, wh):
    src = source("orders")
    bad = write_bad_value(zone, src, DAY, 5, "quantity", 2, "two")
    ingest(src, *RUN, zone=zone, wh=wh, config=CONTINUE)
    with zone.open(QUARANTINE_PREFIX + bad) as fh:
        first = fh.read()
    # the source re-exports it, still bad (another way)
    assert write_bad_value(zone, src, DAY, 5, "quantity", 4, "four") == bad
    ingest(src, *RUN, zone=zone, wh=wh, config=CONTINUE)
    second_key = QUARANTINE_PREFIX + bad.removesuffix(".csv.gz") + ".1.csv.gz"
    assert _history(wh, bad) == [("FAILED", QUARANTINE_PREFIX + bad), ("FAILED", second_key)]
    with zone.open(QUARANTINE_PREFIX + bad) as fh:
        assert fh.read() == first
    with zone.open(second_key) as fh:
        assert fh.read() != first
    # and the corrected re-export under the same name loads
    write_bad_value(zone, src, DAY, 5, "quantity", 4, "4")
    report = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig())
    assert [r.key for r in report.loaded] == [bad] and wh.unresolved_failures(src) == []


def test_a_local_move_never_replaces_an_existing_file(zone):
    zone.put_file(__file__, "a/x.txt")
    zone.put_file(__file__, "b/x.txt")
    with pytest.raises(FileExistsError):
        zone.move("a/x.txt", "b/x.txt")
    assert zone.exists("a/x.txt") and zone.exists("b/x.txt")


def test_release_quarantined_reloads_a_file_outside_the_lookback(env, zone, wh):
    """The DAG's Param release_quarantined: a changed file rejected under on_changed_file=reject
    is released a week later and reloads (its previous rows replaced)."""
    from include.c360.ingest import tasks

    src = source("orders")
    key = write_export(zone, src, DAY, 10, seed=1)
    ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig())
    write_export(zone, src, DAY, 14, seed=2)  # re-exported with other content
    ingest(src, *RUN, zone=zone, wh=wh,
           config=IngestConfig(on_changed_file="reject", on_error="continue"))
    assert zone.exists(QUARANTINE_PREFIX + key) and not zone.exists(key)
    wh.close()

    week_later = {"data_interval_start": datetime(2026, 12, 1, 2, tzinfo=UTC),
                  "data_interval_end": datetime(2026, 12, 2, 2, tzinfo=UTC)}
    out = tasks.ingest_source("orders", params={"release_quarantined": [key]},
                              run_id="ops release", **week_later)
    assert out["loaded_files"] == 1 and out["rows"] == 14 and out["errors"] == []
    assert [s for s, _ in _history(wh, key)] == ["LOADED", "REJECTED_CHANGED", "RELEASED",
                                                  "LOADED"]
    assert wh.con.execute("select count(*), count(distinct order_id) from raw.orders"
                          ).fetchone() == (14, 14)
    assert zone.exists(key) and not zone.exists(QUARANTINE_PREFIX + key)
    assert wh.unresolved_failures(src) == []


def test_release_quarantined_refuses_what_it_cannot_release(env, zone, wh):
    src = source("orders")
    good = write_export(zone, src, date(2026, 11, 23), 5)
    bad = write_bad_value(zone, src, DAY, 5, "quantity", 2, "two")
    ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(on_error="continue", lookback_days=1))
    with pytest.raises(ValueError, match="not an unresolved quarantined file"):
        release_quarantined(src, [good], zone, wh, "ops")
    write_bad_value(zone, src, DAY, 5, "quantity", 2, "2")  # a re-export landed meanwhile
    with pytest.raises(ValueError, match="in the landing zone again"):
        release_quarantined(src, [bad], zone, wh, "ops")
    assert zone.exists(QUARANTINE_PREFIX + bad)  # nothing moved, nothing overwritten


def test_a_released_file_that_is_still_bad_is_rejected_again(env, zone, wh):
    src = source("orders")
    bad = write_bad_value(zone, src, DAY, 5, "quantity", 2, "two")
    with pytest.raises(IngestError):
        ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig())
    assert release_quarantined(src, [bad], zone, wh, "ops") == [bad]
    with pytest.raises(IngestError, match="row 2, column 'quantity'"):
        ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(), also=[bad])
    assert [s for s, _ in _history(wh, bad)] == ["FAILED", "RELEASED", "FAILED"]
    assert zone.exists(QUARANTINE_PREFIX + bad) and not zone.exists(bad)
