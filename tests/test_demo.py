"""The main job's two-day path (`make demo` = scripts/demo.py) at a small scale, through the
real scheduler (the session's ``two_day_demo``): the history, then the next day generated,
ingested and transformed incrementally, then the docs. Its summary is checked against
hand-written SQL over the warehouse, and what it wrote (scorecard, exports, docs) is where it
says.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from scripts.demo import lookback_days

pytestmark = [pytest.mark.airflow_server, pytest.mark.timeout(1800)]


def test_the_ingestion_lookback_reaches_the_first_day_of_any_history() -> None:
    today = date(2026, 12, 3)
    first = date(2024, 11, 24)  # a history ending 2026-11-24, run nine days later
    # a manual run lists [its interval's start - lookback, now]; the interval starts at most
    # 15 days back (the weekly products, a day for the others)
    for interval_start in (today - timedelta(days=1), today - timedelta(days=14)):
        assert interval_start - timedelta(days=lookback_days(first, today)) <= first
    assert lookback_days(first, today) > 731  # the fixed value the demo used to pass


def test_every_landing_file_of_both_days_was_loaded(two_day_demo) -> None:
    landing = two_day_demo.landing
    files = {p.relative_to(landing).as_posix() for p in landing.rglob("*")
             if p.is_file() and not p.name.startswith(".")
             and p.relative_to(landing).parts[0] not in ("reports", "exports")}
    loaded = {k for (k,) in two_day_demo.query(
        "select distinct file_key from raw_meta.load_history where status = 'LOADED'")}
    assert files and files - loaded == set()
    first_day = min(k.split("/")[1] for k in files)
    assert first_day == f"dt={two_day_demo.as_of - timedelta(days=729)}"
    assert any(f"dt={two_day_demo.day2}" in k for k in loaded)


def test_the_summary_shows_the_second_day_as_the_warehouse_has_it(two_day_demo) -> None:
    run, s = two_day_demo, two_day_demo.summary
    q = run.query
    day1, day2 = run.as_of, run.day2
    assert s["day2"] == day2.isoformat()
    for table, n in s["counts"].items():
        assert q(f"select count(*) from {table}")[0][0] == n, table

    # the merge: the day's payments (its landing partition) added or updated in fct_transactions
    m = s["second_day"]["merge"]
    day_ids = ("select distinct trim(transaction_id) from raw.transactions "
               "where _source_file like 'transactions/dt=" + day2.isoformat() + "/%'")
    assert m["rows_after"] == q("select count(*) from marts.fct_transactions")[0][0]
    assert m["day_payments"] == q(f"select count(*) from ({day_ids})")[0][0] > 0
    assert m["added"] > 0 and m["rows_after"] - m["rows_before"] == m["added"]
    assert m["added"] + m["updated"] + m["unchanged"] == m["day_payments"]
    # every payment of the day is in the fact, once
    assert q(f"select count(*) from marts.fct_transactions where transaction_id in ({day_ids})"
             )[0][0] == m["day_payments"]

    # the snapshot closed versions (status changes of the day-2 CRM delta) and opened new ones
    snap = s["second_day"]["snapshot"]
    closed = q("select count(*) from snapshots.snap_customer_profile "
               "where dbt_valid_to is not null")[0][0]
    assert closed > 0 and snap["closed"] == closed == snap["closed_total"]
    assert snap["versions_after"] == q(
        "select count(*) from snapshots.snap_customer_profile")[0][0]
    assert snap["opened"] == snap["versions_after"] - snap["versions_before"] >= closed
    # a closed version is followed by the customer's open one
    assert q("""select count(*) from snapshots.snap_customer_profile c
                where c.dbt_valid_to is not null and not exists (
                  select 1 from snapshots.snap_customer_profile o
                  where o.customer_id = c.customer_id and o.dbt_valid_from = c.dbt_valid_to)"""
             )[0][0] == 0

    # customers whose segment or risk moved, counted another way
    c = s["second_day"]["customers"]
    seg = q("""select count(*) from semantic.fct_customer_daily a, semantic.fct_customer_daily b
               where a.customer_id = b.customer_id and a.as_of_date = ? and b.as_of_date = ?
                 and coalesce(a.customer_segment, '?') <> coalesce(b.customer_segment, '?')""",
            day1, day2)[0][0]
    assert c["ml_segment_changed"] == seg
    assert c["new"] == q("select count(*) from semantic.fct_customer_daily where as_of_date = ?",
                         day2)[0][0] - q("select count(*) from semantic.fct_customer_daily "
                                         "where as_of_date = ?", day1)[0][0]
    assert c["newly_high_churn_risk"] == q(
        "select count(*) from alerts.fct_retention_alerts where scored_at = ?", day2)[0][0]
    assert c["account_status_changed"] + c["kyc_status_changed"] > 0

    # the scorecard of day 2 with its day-over-day change, as printed
    card = s["scorecard"]
    assert card["as_of"] == day2.isoformat()
    kpis = {k["metric"]: k for sec in card["sections"] for k in sec["kpis"]}
    active = {d: n for d, n in q("select as_of_date, count(*) filter (where is_active) "
                                 "from semantic.fct_customer_daily group by 1")}
    assert kpis["active_customers"]["value"] == active[day2]
    assert kpis["active_customers"]["previous"] == active[day1]
    assert f"{kpis['active_customers']['label']:<28} {kpis['active_customers']['shown']:>14}" \
           f"   {kpis['active_customers']['change']}" in run.stdout


def test_the_page_the_exports_and_the_docs_are_where_the_summary_says(two_day_demo) -> None:
    where = two_day_demo.summary["where"]
    out = two_day_demo.stdout
    for label in ("scorecard:", "exports:", "dbt docs:"):
        assert label in out
    page = two_day_demo.landing / "reports" / "scorecard" / "scorecard.html"
    assert where["scorecard"] == str(page) and page.is_file()
    assert f"as of <strong>{two_day_demo.day2}</strong>" in page.read_text()
    for day in (two_day_demo.as_of, two_day_demo.day2):
        assert (page.parent / f"dt={day}" / "scorecard.json").is_file()
    docs = two_day_demo.root / "docs" / "target" / "static_index.html"
    assert where["docs"] == str(docs)
    html = docs.read_text()
    assert "executive_kpi_scorecard" in html and "compliance_high_risk_transactions" in html
    seconds = two_day_demo.summary
    assert seconds["total_seconds"] >= seconds["history_seconds"] + seconds["day2_seconds"]


def test_compliance_export_one_file_per_day_rewritten_only_when_it_changes(
        two_day_demo, monkeypatch) -> None:
    from include.c360.report.export import export_high_risk, export_key, lookback_days

    run = two_day_demo
    for key in ("C360_DUCKDB_PATH", "C360_LANDING", "C360_DATA_DIR"):
        monkeypatch.setenv(key, run.env[key])
    expected = dict(run.query(
        "select cast(cast(transaction_date as date) as varchar), count(*) "
        "from marts.fct_transactions where is_high_risk group by 1"))

    def check(days: list) -> set[str]:
        seen: set[str] = set()
        for day in days:
            lines = (run.landing / export_key(day)).read_text().splitlines()
            assert lines[0].startswith("transaction_id,transaction_date,customer_id,full_name")
            assert len(lines) - 1 == expected.get(day.isoformat(), 0), day
            ids = {line.split(",")[0] for line in lines[1:]}
            assert not ids & seen  # a payment is in the file of its own day only
            seen |= ids
        return seen

    # what the two transform runs wrote: each day of their lookback windows, once
    ran = [run.day2 - timedelta(days=n) for n in range(lookback_days() + 2)]
    check(ran)
    before = {d: (run.landing / export_key(d)).stat().st_mtime_ns for d in ran}

    # the last 60 days by hand (a small world flags few payments): the days the runs wrote
    # are left as they are, the others are written once; a second time writes nothing
    days = [run.day2 - timedelta(days=n) for n in range(61)]
    wider = export_high_risk(run.day2, days=60)
    written = {k for k, f in wider["files"].items() if f["written"]}
    assert written == {export_key(d) for d in days if d not in ran}
    assert {d: (run.landing / export_key(d)).stat().st_mtime_ns for d in ran} == before
    assert check(days), "the days exported have flagged payments"
    assert wider["rows"] == sum(expected.get(d.isoformat(), 0) for d in days)
    again = export_high_risk(run.day2, days=60)
    assert {f["written"] for f in again["files"].values()} == {False}
    summary = json.loads((run.root / "demo" / "summary.json").read_text())
    assert summary["where"]["exports"].endswith("exports/high_risk_transactions/")
