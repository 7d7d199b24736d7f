"""The executive KPI scorecard of the demo's second day, opened in a real headless Chromium at
a laptop's 1440x900: it shows the KPI figures the warehouse has (hand-written SQL over the
marts, not the semantic layer), the day-over-day change, and every chart painted; nothing is
fetched from anywhere."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from include.c360.report.formats import change, figure
from tests.report.browser import headless_page, painted_pixels

pytestmark = [pytest.mark.airflow_server, pytest.mark.timeout(1800)]

WIDTH, HEIGHT = 1440, 900
CHARTS = {"segment_mix", "rfm_mix", "churn_distribution", "channel_mix", "order_value_by_day",
          "campaign_funnel", "flagged_by_day", "ml_churn", "ml_ltv", "ml_segments"}
READ_PAGE = """JSON.stringify({
  kpis: [...document.querySelectorAll('.kpi')].map(e => ({
    metric: e.dataset.metric, value: e.dataset.value,
    shown: e.querySelector('.value').innerText, change: e.querySelector('.change').innerText,
    top: e.getBoundingClientRect().top})),
  charts: [...document.querySelectorAll('figure[data-chart]')].map(f => {
    const svg = f.querySelector('svg.chart'), r = svg.getBoundingClientRect();
    const marks = [...svg.querySelectorAll('.mark')].map(m => m.getBBox());
    return {id: f.dataset.chart, x: r.left + scrollX, y: r.top + scrollY, w: r.width,
            h: r.height, marks: marks.length,
            drawn: marks.filter(b => b.width > 0 && b.height > 0).length};
  }),
  width: document.documentElement.scrollWidth,
  fetched: performance.getEntriesByType('resource').map(e => e.name),
})"""


def _sql_kpis(run) -> dict[str, float]:
    """The day-2 KPIs, by hand-written SQL over the marts (up to the end of day 2)."""
    end = (run.day2 + timedelta(days=1)).isoformat()

    def one(sql: str) -> float:
        return float(run.query(sql)[0][0])

    return {
        "active_customers": one("select count(*) from marts.dim_customers where is_active"),
        "customers": one("select count(*) from marts.fct_customer_value"),
        "high_churn_risk_customers": one(
            "select count(*) from marts.fct_customer_value where churn_probability > 0.7"),
        "predicted_ltv_12m": one("select sum(predicted_ltv) from marts.fct_customer_value"),
        "total_spend": one("select sum(total_spend) from marts.fct_customer_value"),
        "completed_orders": one(
            "select count(*) from marts.fct_orders where order_status = 'completed'"),
        "average_order_value": one(
            "select avg(total_amount) from marts.fct_orders where order_status = 'completed'"),
        "gross_order_value": one("select sum(total_amount) from marts.fct_orders "
                                 f"where order_date < date '{end}'"),
        "flagged_transactions": one("select count(*) from marts.fct_transactions "
                                    f"where is_high_risk and transaction_date < date '{end}'"),
        "flagged_amount": one("select sum(amount) from marts.fct_transactions "
                              f"where is_high_risk and transaction_date < date '{end}'"),
        "campaign_open_rate": one("select avg(case when opened then 1.0 else 0 end) from "
                                  f"marts.fct_campaigns where sent_at < date '{end}'"),
        "avg_csat": one("select avg(satisfaction_score) from staging.stg_support_tickets "
                        f"where created_at < date '{end}'"),
    }


@pytest.fixture(scope="module")
def page(two_day_demo, tmp_path_factory) -> dict:
    html = two_day_demo.landing / "reports" / "scorecard" / "scorecard.html"
    shot = tmp_path_factory.mktemp("scorecard") / "scorecard.png"
    with headless_page() as tab:
        tab.open(html.as_uri(), WIDTH, HEIGHT)
        seen = json.loads(tab.evaluate(READ_PAGE))
        tab.screenshot(shot)
    print(f"screenshot: {shot}")
    return {**seen, "screenshot": shot, "html": html.read_text()}


def test_the_page_shows_the_warehouse_kpis_and_their_day_over_day_change(page, two_day_demo):
    shown = {k["metric"]: k for k in page["kpis"]}
    card = json.loads((two_day_demo.landing / "reports" / "scorecard" /
                       f"dt={two_day_demo.day2}" / "scorecard.json").read_text())
    formats = {k["metric"]: k["format"] for s in card["sections"] for k in s["kpis"]}
    expected = _sql_kpis(two_day_demo)
    for metric, value in expected.items():
        tile = shown[metric]
        assert tile["shown"] == figure(value, formats[metric]), (metric, value, tile)
        assert abs(float(tile["value"]) - value) <= 1e-6 * max(1.0, abs(value)), metric
    # the Customer 360 of day 1 (its day in the Customer 360 by day) -> the change shown
    day1_active = float(two_day_demo.query(
        "select count(*) from semantic.fct_customer_daily "
        "where as_of_date = ? and is_active", two_day_demo.as_of)[0][0])
    assert change(expected["active_customers"], day1_active, "integer") in \
        shown["active_customers"]["change"]
    day2_flagged = float(two_day_demo.query(
        "select count(*) from marts.fct_transactions where is_high_risk "
        "and cast(transaction_date as date) = ?", two_day_demo.day2)[0][0])
    assert change(expected["flagged_transactions"],
                  expected["flagged_transactions"] - day2_flagged, "integer") in \
        shown["flagged_transactions"]["change"]


def test_every_chart_is_painted(page):
    charts = {c["id"]: c for c in page["charts"]}
    assert set(charts) == CHARTS
    for chart_id, c in charts.items():
        assert c["w"] > 300 and c["h"] > 40, chart_id
        assert c["marks"] > 0 and c["drawn"] == c["marks"], chart_id
        assert painted_pixels(page["screenshot"], c) > 150, chart_id


def test_a_laptop_screen_and_no_server(page):
    assert page["width"] == WIDTH  # no horizontal scrolling at 1440 px
    assert min(k["top"] for k in page["kpis"]) < HEIGHT / 3  # the KPIs open the page
    assert page["fetched"] == []  # one self-contained file: nothing loaded besides it
    assert "http://" not in page["html"].replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page["html"] and "<script" not in page["html"]
    assert Path(page["screenshot"]).stat().st_size > 50_000
