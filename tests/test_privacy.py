"""Personal data on request and by retention, on a small generated, loaded and built DuckDB
warehouse: erasing one customer from RAW, staging, dim_customers and the snapshot history
(keys and aggregates kept, later builds keep it erased); RAW history and quarantine retention."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from include.c360.catalog import pii_columns
from include.c360.sources import source

pytestmark = pytest.mark.timeout(600)

AS_OF = date(2026, 11, 24)
PII = pii_columns("stg_customers")  # first_name, last_name, email, phone
DBT_SELECT = ("build", "--select", "stg_customers", "dim_customers", "snap_customer_profile",
              "--indirect-selection", "cautious")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """30 days of history at a small scale, ingested, staging/dim_customers/snapshot built;
    then the next day's CRM delta loaded and built, so the snapshot holds closed versions."""
    from include.c360.generator import GeneratorConfig, generate_day
    from include.c360.offline import build_warehouse

    w = build_warehouse(tmp_path_factory.mktemp("privacy"), 0.003, AS_OF, history_days=30)
    w.dbt(*DBT_SELECT)
    nxt = AS_OF + timedelta(days=1)
    generate_day(GeneratorConfig(seed=42, scale=0.003, as_of=AS_OF, history_days=30), nxt,
                 str(w.landing), sources=["customers"])
    w.ingest(nxt, nxt)
    w.dbt(*DBT_SELECT, as_of=nxt)
    return w


def _con(w):
    return duckdb.connect(str(w.db_path))


def _someone_with_history(con) -> str:
    """A customer with a closed snapshot version and an e-mail in dim_customers."""
    return con.execute("""
        select s.customer_id from snapshots.snap_customer_profile s
        join marts.dim_customers d using (customer_id)
        where d.email is not null and d.full_name <> '' and s.email is not null
        group by 1 having count(*) > 1 and count(s.dbt_valid_to) > 0
        order by 1 limit 1""").fetchone()[0]


def _state(con, customer_id: str) -> dict:
    """What erasure must keep: every row and every non-personal column, for everyone."""
    keep = "customer_id, signup_date, state, country, kyc_status, account_status"
    return {
        "raw": con.execute(f"select {keep}, _loaded_at, _source_file, _source_row_number "
                           f"from raw.customers order by all").fetchall(),
        "dim": con.execute(f"select {keep}, customer_tenure_days, is_active "
                           f"from marts.dim_customers order by all").fetchall(),
        "snap": con.execute(f"select {keep}, dbt_valid_from, dbt_valid_to "
                            f"from snapshots.snap_customer_profile order by all").fetchall(),
        "others_pii": con.execute(
            f"select customer_id, {', '.join(PII)} from raw.customers "
            f"where customer_id <> ? order by all", [customer_id]).fetchall(),
        "orders": con.execute("select count(*), sum(total_amount) from raw.orders "
                              "where customer_id = ?", [customer_id]).fetchone(),
    }


def test_erase_removes_one_customers_personal_data_everywhere(built, monkeypatch, capsys):
    from include.c360.privacy import main

    con = _con(built)
    try:
        cid = _someone_with_history(con)
        before = _state(con, cid)
        assert con.execute("select count(*) from snapshots.snap_customer_profile "
                           "where customer_id = ? and email is not null", [cid]).fetchone()[0]
    finally:
        con.close()
    monkeypatch.setenv("C360_TARGET", "duckdb")
    monkeypatch.setenv("C360_DUCKDB_PATH", str(built.db_path))
    monkeypatch.setenv("C360_LANDING", str(built.landing))
    assert main(["erase", "--customer-id", cid]) == 0
    assert f"erased the personal data of {cid}" in capsys.readouterr().out

    def erased(con) -> None:
        pii_left = " or ".join(f"{c} is not null" for c in PII)
        for table in ("raw.customers", "staging.stg_customers", "snapshots.snap_customer_profile"):
            assert con.execute(f"select count(*) from {table} where customer_id = ? "
                               f"and ({pii_left})", [cid]).fetchone()[0] == 0, table
        full_name, email = con.execute("select full_name, email from marts.dim_customers "
                                       "where customer_id = ?", [cid]).fetchone()
        assert (full_name or "") == "" and email is None
        assert _state(con, cid) == before  # keys, other columns, other people, aggregates

    con = _con(built)
    try:
        erased(con)
    finally:
        con.close()
    # the next builds rebuild dim_customers from staging and run the snapshot: still erased,
    # and the snapshot opens no version for the erasure
    built.dbt(*DBT_SELECT, as_of=AS_OF + timedelta(days=1))
    con = _con(built)
    try:
        erased(con)
    finally:
        con.close()
    # an unknown customer is an error, not a silent no-op
    assert main(["erase", "--customer-id", "NO-SUCH-CUSTOMER"]) == 2
    assert "no customer 'NO-SUCH-CUSTOMER'" in capsys.readouterr().err


def test_raw_retention_deletes_only_superseded_old_versions(built, monkeypatch):
    from include.c360.privacy import apply_retention

    monkeypatch.setenv("C360_TARGET", "duckdb")
    monkeypatch.setenv("C360_DUCKDB_PATH", str(built.db_path))
    monkeypatch.delenv("C360_QUARANTINE_RETENTION_DAYS", raising=False)
    monkeypatch.setenv("C360_RAW_RETENTION_DAYS", "1")
    # the history was loaded in one go just now: nothing is older than a day
    assert apply_retention().raw_deleted == {"raw.customers": 0}
    con = _con(built)
    try:
        # as production loads them: each day's export loaded on its day
        con.execute("update raw.customers set _loaded_at = "
                    "strptime(regexp_extract(_source_file, 'dt=([0-9-]+)/', 1), '%Y-%m-%d')")
        total, keys = con.execute(
            "select count(*), count(distinct customer_id) from raw.customers").fetchone()
        assert total > keys  # the CRM deltas re-export customers: there is history to drop
        current = con.execute("select * from staging.stg_customers order by all").fetchall()
        cutoff = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=15)
        expected = con.execute("""
            select count(*) from raw.customers c where _loaded_at < ? and exists (
                select 1 from raw.customers n
                where n.customer_id = c.customer_id and n._loaded_at > c._loaded_at)""",
                               [cutoff]).fetchone()[0]
        assert expected > 0
    finally:
        con.close()
    monkeypatch.setenv("C360_RAW_RETENTION_DAYS", "15")
    report = apply_retention()
    con = _con(built)
    try:
        left, left_keys = con.execute(
            "select count(*), count(distinct customer_id) from raw.customers").fetchone()
        assert report.raw_deleted == {"raw.customers": expected} and left == total - expected
        assert left_keys == keys  # every customer keeps its newest load
        assert con.execute("select * from staging.stg_customers order by all").fetchall() == current
        assert con.execute("select count(*) from raw.customers where _loaded_at < ? group by "
                           "customer_id having count(*) > 1 limit 1", [cutoff]).fetchall() == []
    finally:
        con.close()


def test_quarantine_retention_keeps_unresolved_rejections(tmp_path, monkeypatch):
    import os

    from include.c360.ingest.config import IngestConfig
    from include.c360.ingest.duckdb_loader import DuckDBLoader
    from include.c360.ingest.run import ingest, resolve_failed
    from include.c360.landing import LocalLandingZone
    from include.c360.privacy import apply_quarantine_retention
    from include.c360.sources import source
    from tests.ingest.exports import write_bad_value, write_export

    zone = LocalLandingZone(tmp_path / "landing")
    src = source("orders")
    day = datetime(2026, 11, 20, tzinfo=UTC)
    bad_old = write_bad_value(zone, src, day.date(), 5, "quantity", 2, "2.5")
    bad_kept = write_bad_value(zone, src, (day + timedelta(days=1)).date(), 5, "quantity", 3, "x")
    write_export(zone, src, (day - timedelta(days=1)).date(), 4)
    with DuckDBLoader(tmp_path / "wh.duckdb", IngestConfig()) as wh:
        wh.setup()
        ingest(src, day, day + timedelta(days=1), zone=zone, wh=wh,
               config=IngestConfig(on_error="continue", lookback_days=1), run_id="r1")
        resolve_failed(src, [bad_old], wh, "operator")  # accepted: its copy may go
        quarantined = sorted(f.key for f in zone.list("_quarantine/"))
        assert quarantined == ["_quarantine/" + bad_old, "_quarantine/" + bad_kept]
        now = datetime.now(UTC)
        assert apply_quarantine_retention(zone, wh, 30, now) == ([], [])  # too recent
        old = (now - timedelta(days=45)).timestamp()
        for key in quarantined:
            os.utime(zone.root / key, (old, old))
        deleted, kept = apply_quarantine_retention(zone, wh, 30, now)
    assert deleted == ["_quarantine/" + bad_old]
    assert kept == ["_quarantine/" + bad_kept]  # unresolved: never deleted
    assert [f.key for f in zone.list("_quarantine/")] == ["_quarantine/" + bad_kept]


def test_the_dags_erase_a_customer_and_apply_retention(built, run_dags, tmp_path):
    import shutil

    data = tmp_path / "data"
    (data / "warehouse").mkdir(parents=True)
    db = data / "warehouse" / "c360.duckdb"
    shutil.copy(built.db_path, db)
    con = duckdb.connect(str(db))
    try:
        cid = _someone_with_history(con)
        # a rejected CRM export naming the customer, in the landing zone's quarantine
        columns = [c.name for c in source("customers").raw_columns]
        person = con.execute(f"select {', '.join(columns)} from raw.customers "
                             f"where customer_id = ? limit 1", [cid]).fetchone()
    finally:
        con.close()
    quarantined = data / "landing" / "_quarantine" / source("customers").file_key(AS_OF)
    quarantined.parent.mkdir(parents=True)
    lines = [",".join(columns), ",".join("" if v is None else str(v) for v in person),
             "C99999999" + ",x" * (len(columns) - 1)]
    quarantined.write_bytes(gzip.compress("\n".join(lines).encode() + b"\n"))
    runs = run_dags(
        data,
        ("c360_erase_customer", {"logical_date": "2026-11-25T00:00:00+00:00",
                                 "conf": {"customer_id": cid}}),
        ("c360_data_retention", "2026-11-25T04:00:00+00:00"),
        dag_file="c360_privacy.py",
    )
    assert [r["state"] for r in runs] == ["success", "success"], runs
    assert runs[0]["xcom"]["erase"]["rows"]["raw.customers"] >= 1
    key = "_quarantine/" + source("customers").file_key(AS_OF)
    assert runs[0]["xcom"]["erase"]["files"] == {
        key: "rewritten without the customer's 1 record(s)"}
    assert gzip.decompress(quarantined.read_bytes()).decode().splitlines() == [
        lines[0], lines[2]]
    assert runs[1]["xcom"]["apply_retention"] == {  # no retention set: nothing deleted
        "raw_deleted": {}, "quarantine_deleted": [], "quarantine_kept_unresolved": []}
    con = duckdb.connect(str(db))
    try:
        assert con.execute("select count(*) from snapshots.snap_customer_profile "
                           "where customer_id = ? and email is not null", [cid]).fetchone() == (0,)
    finally:
        con.close()
