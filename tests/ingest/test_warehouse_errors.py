"""A failure of the warehouse is not a bad file: nothing is quarantined or recorded as FAILED.

Each case breaks the DuckDB warehouse in a real way while the landing zone holds good files:
the load raises ``WarehouseError`` (the task fails and Airflow retries it), the files stay in
their partitions, the load history has no row for them and, once the warehouse is fixed, the
same run loads them. A genuinely bad file next to them is still quarantined (its content).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime

import pytest

from include.c360.ingest.config import QUARANTINE_PREFIX, IngestConfig
from include.c360.ingest.errors import WarehouseError
from include.c360.ingest.run import IngestError, ingest
from include.c360.sources import source
from tests.ingest.exports import write_bad_value, write_export

pytestmark = pytest.mark.timeout(90)

DAYS = (date(2026, 11, 23), date(2026, 11, 24))
RUN = (datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
CFG = IngestConfig(lookback_days=1)


def _good_files(zone, name: str = "orders", n: int = 40) -> list[str]:
    src = source(name)
    return [write_export(zone, src, d, n, hour=4, seed=i) for i, d in enumerate(DAYS)]


def _nothing_rejected(zone, wh, keys: list[str]) -> None:
    for key in keys:
        assert zone.exists(key), f"{key} left its partition"
        assert not zone.exists(QUARANTINE_PREFIX + key), f"{key} quarantined"
    assert wh.con.execute("select count(*) from raw_meta.load_history").fetchone()[0] == 0


def _reload(wh, keys: list[str], zone, name: str = "orders") -> None:
    """Once the warehouse is fixed, the same run (its retry) loads every file."""
    r = ingest(source(name), *RUN, zone=zone, wh=wh, config=CFG, run_id="r1")
    assert sorted(x.key for x in r.loaded) == sorted(keys) and r.errors == []


def test_a_dropped_raw_table(env, zone, wh):
    keys = _good_files(zone)
    wh.con.execute("drop table raw.orders")
    with pytest.raises(WarehouseError, match="Table with name orders does not exist") as exc:
        ingest(source("orders"), *RUN, zone=zone, wh=wh, config=CFG, run_id="r1")
    assert "not quarantined" in str(exc.value) and keys[0] in str(exc.value)
    _nothing_rejected(zone, wh, keys)
    wh.setup()  # what the next try's ensure_ready() does
    _reload(wh, keys, zone)


def test_a_raw_table_altered_under_the_loader(env, zone, wh):
    """The insert fails although every value of the file converts: the table is at fault."""
    keys = _good_files(zone)
    wh.con.execute("alter table raw.orders drop column quantity")
    with pytest.raises(WarehouseError, match="quantity"):
        ingest(source("orders"), *RUN, zone=zone, wh=wh, config=CFG, run_id="r1")
    _nothing_rejected(zone, wh, keys)
    wh.con.execute("drop table raw.orders")
    wh.setup()
    _reload(wh, keys, zone)


def test_a_read_only_warehouse(env, zone, wh):
    import duckdb

    keys = _good_files(zone, "events")
    wh.close()
    wh._client = duckdb.connect(str(env["duckdb"]), read_only=True)
    with pytest.raises(WarehouseError, match="read-only"):
        ingest(source("events"), *RUN, zone=zone, wh=wh, config=CFG, run_id="r1")
    _nothing_rejected(zone, wh, keys)
    wh.close()
    _reload(wh, keys, zone, "events")


def test_out_of_memory(env, zone, wh):
    keys = _good_files(zone, "transactions", n=60_000)
    wh.con.execute("set memory_limit = '4MB'")
    wh.con.execute("set threads = 1")
    with pytest.raises(WarehouseError, match="Out of Memory"):
        ingest(source("transactions"), *RUN, zone=zone, wh=wh, config=CFG, run_id="r1")
    _nothing_rejected(zone, wh, keys)
    wh.con.execute("reset memory_limit")
    _reload(wh, keys, zone, "transactions")


def test_a_warehouse_locked_by_another_process(env, zone, wh):
    """Another writer holds the file: the task fails at once, nothing is touched."""
    from include.c360.ingest.tasks import ingest_source

    keys = _good_files(zone)
    wh.close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(env["duckdb"])!r})
        print("locked", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(Exception, match="lock"):
            ingest_source("orders", data_interval_start=RUN[0], data_interval_end=RUN[1],
                          run_id="r1", params={"lookback_days": 1})
    finally:
        holder.communicate("", timeout=30)
    _nothing_rejected(zone, wh, keys)
    _reload(wh, keys, zone)


def test_a_bad_file_is_still_the_files_fault(env, zone, wh):
    """Next to the warehouse classification: a value that does not convert is quarantined."""
    src = source("orders")
    good = write_export(zone, src, DAYS[0], 5)
    bad = write_bad_value(zone, src, DAYS[1], 5, "total_amount", 2, "12,50")
    with pytest.raises(IngestError, match="row 2, column 'total_amount'"):
        ingest(src, *RUN, zone=zone, wh=wh, config=CFG, run_id="r1")
    assert zone.exists(QUARANTINE_PREFIX + bad) and zone.exists(good)
