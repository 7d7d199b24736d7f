"""Fast checks of the consumers' pieces without Airflow: the compliance export to S3 (moto)
written once per day and again only when a day's flagged payments change; the figures' formats;
the SVG charts."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from include.c360.report import charts
from include.c360.report.formats import change, figure
from tests.ingest.test_s3_landing import BUCKET

pytestmark = pytest.mark.timeout(120)

DAY = date(2026, 11, 24)


def _marts(db) -> None:
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute("""create table marts.dim_customers as select * from (values
        ('C1', 'ann lee', 'ann@x.org', 'US', 'verified', 'active'),
        ('C2', 'bo li', 'bo@x.org', 'DE', 'pending', 'suspended'))
        t(customer_id, full_name, email, country, kyc_status, account_status)""")
    con.execute("""create table marts.fct_transactions as select * from (values
        ('T1', timestamp '2026-11-24 01:00:00', 'C1', null, 950.0, 880.0, 'EUR', 'card', 'purchase',
         'success', true),
        ('T2', timestamp '2026-11-24 13:00:00', 'C2', 'O9', 20.0, 20.0, 'USD', 'ach', 'purchase',
         'failed', false),
        ('T3', timestamp '2026-11-22 03:00:00', 'C2', null, 7000.0, 5530.0, 'GBP', 'wire',
         'purchase', 'success', true),
        ('T4', timestamp '2026-11-18 02:00:00', 'C1', null, 5.0, 5.0, 'USD', 'card', 'fee',
         'success', true))
        t(transaction_id, transaction_date, customer_id, order_id, amount, amount_local,
          currency, payment_method, transaction_type, status, is_high_risk)""")
    con.close()


def test_high_risk_export_to_s3_once_per_day_and_again_only_on_change(
        s3_env, tmp_path, monkeypatch) -> None:
    import duckdb

    from include.c360.landing import landing_zone
    from include.c360.report.export import export_high_risk, export_key, lookback_days

    db = tmp_path / "c360.duckdb"
    _marts(db)
    monkeypatch.setenv("C360_DUCKDB_PATH", str(db))
    monkeypatch.setenv("C360_TARGET", "duckdb")
    zone = landing_zone()
    assert zone.uri.startswith("s3://")
    first = export_high_risk(DAY)
    days = [date(2026, 11, 24 - n) for n in range(lookback_days(), -1, -1)]
    assert list(first["files"]) == [export_key(d) for d in days]  # D-3 .. D, one file each
    assert {k: f["rows"] for k, f in first["files"].items()} == {
        export_key(date(2026, 11, 21)): 0, export_key(date(2026, 11, 22)): 1,
        export_key(date(2026, 11, 23)): 0, export_key(DAY): 1}
    listed = {o["Key"] for o in s3_env["client"].list_objects_v2(
        Bucket=BUCKET, Prefix="landing/exports/")["Contents"]}
    assert listed == {f"landing/{export_key(d)}" for d in days}
    with zone.open(export_key(DAY)) as fh:
        lines = fh.read().decode().splitlines()
    assert lines == [
        "transaction_id,transaction_date,customer_id,full_name,email,country,kyc_status,"
        "account_status,order_id,amount,amount_local,currency,payment_method,transaction_type,"
        "status",
        "T1,2026-11-24 01:00:00,C1,ann lee,ann@x.org,US,verified,active,,950.0,880.0,EUR,card,"
        "purchase,success"]

    # a re-run writes nothing; a late flagged payment of D-1 rewrites that day's file only
    assert {f["written"] for f in export_high_risk(DAY)["files"].values()} == {False}
    con = duckdb.connect(str(db))
    con.execute("update marts.fct_transactions set is_high_risk = true, "
                "transaction_date = timestamp '2026-11-23 22:00:00' where transaction_id = 'T2'")
    con.close()
    written = {k for k, f in export_high_risk(DAY)["files"].items() if f["written"]}
    assert written == {export_key(date(2026, 11, 23))}


def test_figures_and_their_change_read_as_an_executive_expects() -> None:
    assert figure(270_000, "integer") == "270,000"
    assert figure(12_293_862.3, "currency") == "$12.29M"
    assert figure(37_097.7, "currency") == "$37.1K"
    assert figure(90.0966, "currency") == "$90.10"
    assert figure(0.1871, "percent") == "18.7%"
    assert figure(3.655, "score") == "3.65 / 5" or figure(3.655, "score") == "3.66 / 5"
    assert figure(None, "integer") == "—"
    assert change(1910, 1900, "integer") == "+10 (+0.5%)"
    assert change(0.19, 0.18, "percent") == "+1.00 pp"
    assert change(100.0, 120.0, "currency") == "−$20.00 (-16.7%)"
    assert change(5, None, "integer") == "—"


def test_charts_are_svg_with_one_mark_per_datum() -> None:
    bars = charts.hbars([("web", 3.0), ("mobile", 1.0)], "currency", "mix", share=True)
    assert bars.startswith("<svg") and bars.count('class="mark"') == 2 and "75.0%" in bars
    series = charts.timeseries([(datetime(2026, 11, d).date(), float(d)) for d in (1, 2, 3)],
                               "integer", "by day")
    assert series.count('class="mark"') == 3 and "<polyline" in series
    hist = charts.columns([("0.6", 4.0), ("0.7", 2.0)], "integer", "churn",
                          highlight=lambda d: float(d) >= 0.7)
    assert hist.count(charts.ALERT) == 1
    funnel = charts.funnel([("sends", 100.0), ("opens", 20.0)], "funnel")
    assert "20.0% of sends" in funnel
    assert "no data" in charts.hbars([], "integer", "empty")
    assert "<b>" not in charts.hbars([("<b>", 1.0)], "integer", "escaped")
