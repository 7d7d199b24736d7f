"""The executive KPI scorecard: one self-contained HTML page per publication.

Every figure on the page is asked of the semantic layer (``semantic.ask``: MetricFlow over the
metrics of ``dbt/models/semantic/``): the KPIs as of the run's date D and as of D-1 (their
day-over-day change), the segment, churn and channel mixes, the daily series and the campaign
funnel. Labels, descriptions and number formats are the metrics' own (``label``,
``description``, ``meta.format``). Only the ML models' holdout evaluation comes from the model
registry (``ml.model_metrics``). Two kinds of KPI:

* **as of D** - the Customer 360 on day D (semantic model ``customer_daily``, non-additive over
  its ``as_of_date``); the change is against the Customer 360 of D-1 (none before the
  second publication);
* **to date** - the facts up to the end of day D (orders, payments, sends, tickets); the change
  is what day D added (or moved, for a rate).

The page and its figures (``scorecard.json``) go to the landing zone's reports area,
``reports/scorecard/dt=<D>/`` and ``reports/scorecard/scorecard.html`` (the latest), through
the landing-zone abstraction (local folder or S3).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from include.c360.report import charts
from include.c360.report.formats import change, figure
from include.c360.report.semantic import Answer, Query, ask

log = logging.getLogger(__name__)

REPORT_PREFIX = "reports/scorecard"
SNAPSHOT_MODEL = "customer_daily"  # the semantic model of the Customer 360 by day
SERIES_DAYS = 90


@dataclass(frozen=True)
class Section:
    title: str
    metrics: tuple[str, ...]


SECTIONS = (
    Section("Customer base", ("active_customers", "customers", "high_churn_risk_customers",
                              "avg_churn_probability", "predicted_ltv_12m",
                              "avg_customer_tenure_days")),
    Section("Spend and orders", ("total_spend", "completed_orders", "average_order_value",
                                 "gross_order_value", "gross_margin", "orders_placed")),
    Section("Fraud and compliance", ("flagged_transactions", "flagged_amount",
                                     "flagged_transaction_rate")),
    Section("Marketing", ("campaign_open_rate", "campaign_click_through_rate",
                          "campaign_conversion_rate", "campaign_revenue_attributed")),
    Section("Support", ("avg_resolution_hours", "avg_csat", "support_tickets")),
)
FUNNEL = ("campaign_sends", "campaign_opens", "campaign_clicks", "campaign_conversions")
KPI_METRICS = tuple(m for s in SECTIONS for m in s.metrics) + FUNNEL


def queries(as_of: date) -> dict[str, Query]:
    """What the scorecard asks the semantic layer for day ``as_of``."""
    since = as_of - timedelta(days=SERIES_DAYS - 1)
    day = ("metric_time__day",)
    return {
        "kpis": Query(KPI_METRICS, end=as_of),
        "kpis_previous": Query(KPI_METRICS, end=as_of - timedelta(days=1)),
        "segment_mix": Query(("customers",), ("customer_day__customer_segment",), end=as_of),
        "rfm_mix": Query(("customers",), ("customer_day__rfm_segment",), end=as_of),
        "churn_distribution": Query(("customers",), ("customer_day__churn_decile",), end=as_of),
        "channel_mix": Query(("gross_order_value",), ("order__channel",), end=as_of),
        "order_value_by_day": Query(("gross_order_value",), day, start=since, end=as_of),
        "flagged_by_day": Query(("flagged_transactions", "flagged_amount"), day, start=since,
                                end=as_of),
    }


def build(as_of: date, answer: Answer | None = None,
          model_metrics: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The scorecard of ``as_of`` as JSON-able data: KPIs with their change, charts' data."""
    answer = answer or ask(queries(as_of))
    if model_metrics is None:
        model_metrics = latest_model_metrics(as_of)
    previous = as_of - timedelta(days=1)
    sections = []
    for section in SECTIONS:
        tiles = []
        for metric in section.metrics:
            meta = answer.metrics[metric]
            value = answer.value("kpis", metric)
            before = answer.value("kpis_previous", metric)
            tiles.append({
                "metric": metric, "label": meta["label"], "description": meta["description"],
                "format": meta["format"], "scope": scope(meta), "value": value,
                "previous": before, "shown": figure(value, meta["format"]),
                "change": change(value, before, meta["format"]),
                "direction": _direction(value, before),
            })
        sections.append({"title": section.title, "kpis": tiles})
    return {
        "as_of": as_of.isoformat(), "previous": previous.isoformat(),
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "sections": sections,
        "mixes": {name: _pairs(answer, name) for name in
                  ("segment_mix", "rfm_mix", "churn_distribution", "channel_mix")},
        "series": {name: _series(answer, name, as_of) for name in
                   ("order_value_by_day", "flagged_by_day")},
        "funnel": [(answer.metrics[m]["label"], answer.value("kpis", m) or 0) for m in FUNNEL],
        "models": model_metrics,
        "metrics": answer.metrics,
    }


def scope(meta: dict[str, Any]) -> str:
    return "as of" if SNAPSHOT_MODEL in meta.get("semantic_models", ()) else "to date"


def _direction(value: float | None, before: float | None) -> str:
    if value is None or before is None or value == before:
        return "flat"
    return "up" if value > before else "down"


def _pairs(answer: Answer, query: str) -> list[tuple[str, float]]:
    """(dimension value, metric) rows of a one-dimension query, largest first (deciles and
    dates in order)."""
    rows = answer.rows(query)
    if not rows:
        return []
    dim, metric = answer.results[query]["columns"]
    pairs = [("—" if r[dim] is None else _label(r[dim]), float(r[metric] or 0)) for r in rows]
    if query == "churn_distribution":
        return sorted(pairs, key=lambda p: (p[0] == "—", p[0]))
    return sorted(pairs, key=lambda p: (-p[1], p[0]))


def _label(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _series(answer: Answer, query: str, as_of: date) -> dict[str, list[tuple[str, float]]]:
    """Each metric of a by-day query over the last SERIES_DAYS days (a day without rows: 0)."""
    rows = {r["metric_time__day"][:10]: r for r in answer.rows(query)}
    days = [(as_of - timedelta(days=n)).isoformat() for n in range(SERIES_DAYS - 1, -1, -1)]
    metrics = [c for c in answer.results[query]["columns"] if c != "metric_time__day"]
    return {m: [(d, float((rows.get(d) or {}).get(m) or 0)) for d in days] for m in metrics}


def latest_model_metrics(as_of: date) -> list[dict[str, Any]]:
    """Per ML model, the metrics of its latest version registered on or before ``as_of``."""
    from include.c360.report.warehouse import read_sql
    from include.c360.warehouse import sql_literal

    frame = read_sql("model_metrics.sql", as_of=sql_literal(as_of))
    latest: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict(orient="records"):  # ordered by model, run date, registration
        model = latest.get(row["model_name"])
        if model is None or model["model_version"] != row["model_version"]:
            model = latest[row["model_name"]] = {
                "model_name": row["model_name"], "model_version": row["model_version"],
                "run_as_of": str(row["run_as_of"])[:10], "metrics": {}}
        model["metrics"][row["metric"]] = float(row["value"])
    return list(latest.values())


# --- the page ---------------------------------------------------------------------------------

CHURN_HIGH = 0.7  # the histogram's red bars: the deciles above the retention alert line


def render(card: dict[str, Any]) -> str:
    """The page: one HTML file with inline CSS and SVG (no script, nothing fetched)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
        autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("scorecard.html.j2").render(card=card, charts=chart_svgs(card))


def chart_svgs(card: dict[str, Any]) -> list[dict[str, str]]:
    """(id, title, subtitle, svg) of every chart of the page, in page order."""
    mixes, series, metrics = card["mixes"], card["series"], card["metrics"]
    seg_fmt = "integer"
    flagged = series["flagged_by_day"]
    amounts = dict(flagged.get("flagged_amount", []))
    out = [
        ("segment_mix", "ML customer segments", "customers per KMeans segment, as of the day",
         charts.hbars(mixes["segment_mix"], seg_fmt, "customer segments", share=True)),
        ("rfm_mix", "RFM segments", "customers per RFM segment, as of the day",
         charts.hbars(mixes["rfm_mix"], seg_fmt, "RFM segments", share=True)),
        ("churn_distribution", "Churn-risk distribution",
         "customers per churn-probability decile; red: above the 0.7 high-risk line",
         charts.columns(mixes["churn_distribution"], seg_fmt, "churn distribution",
                        highlight=lambda d: d not in ("—",) and float(d) >= CHURN_HIGH,
                        note="churn probability decile (lower bound)")),
        ("channel_mix", "Channel mix", f"{metrics['gross_order_value']['label']} per order "
         "channel, to date", charts.hbars(mixes["channel_mix"], "currency", "channel mix",
                                          share=True)),
        ("order_value_by_day", "Spend over time",
         f"{metrics['gross_order_value']['label']} per day, last {SERIES_DAYS} days",
         charts.timeseries(_dated(series["order_value_by_day"]["gross_order_value"]),
                           "currency", "order value per day")),
        ("campaign_funnel", "Campaign funnel", "sends, opens, clicks and conversions, to date",
         charts.funnel(card["funnel"], "campaign funnel")),
        ("flagged_by_day", "Fraud flagged over time",
         f"{metrics['flagged_transactions']['label']} per day, last {SERIES_DAYS} days",
         charts.timeseries(
             _dated(flagged["flagged_transactions"]), "integer", "flagged per day", bars=True,
             tip=lambda d, v: f"{d.isoformat()}: {figure(v, 'integer')} flagged, "
                              f"{figure(amounts.get(d.isoformat(), 0), 'currency')}")),
    ]
    out += _model_charts(card["models"])
    return [{"id": i, "title": t, "subtitle": s, "svg": svg} for i, t, s, svg in out]


def _dated(points: list[tuple[str, float]]) -> list[tuple[date, float]]:
    return [(date.fromisoformat(d), v) for d, v in points]


def _model_charts(models: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """The ML evaluation: each model against its baseline on the 20 % holdout."""
    by_name = {m["model_name"]: m for m in models}
    out = []
    if churn := by_name.get("churn"):
        m = churn["metrics"]
        out.append(("ml_churn", "Churn model vs baseline",
                    f"{churn['model_version']}: holdout, vs recency-only logistic regression",
                    charts.paired_bars([
                        ("ROC AUC", m.get("holdout_roc_auc"), m.get("baseline_holdout_roc_auc")),
                        ("accuracy", m.get("holdout_accuracy"),
                         m.get("baseline_holdout_accuracy")),
                        ("Brier (lower is better)", m.get("holdout_brier"),
                         m.get("baseline_holdout_brier")),
                    ], "ratio", "churn model evaluation")))
    if ltv := by_name.get("ltv_12m"):
        m = ltv["metrics"]
        out.append(("ml_ltv", "LTV model vs baseline",
                    f"{ltv['model_version']}: holdout error in USD (lower is better), vs "
                    "'next 12 months = last 12 months'",
                    charts.paired_bars([
                        ("MAE", m.get("holdout_mae"), m.get("baseline_holdout_mae")),
                        ("RMSE", m.get("holdout_rmse"), m.get("baseline_holdout_rmse")),
                    ], "currency", "LTV model evaluation")))
    if seg := by_name.get("segmentation"):
        m = seg["metrics"]
        ks = sorted(int(k.rsplit("k", 1)[1]) for k in m if k.startswith("silhouette_k"))
        chosen = int(m.get("k", 0))
        out.append(("ml_segments", "Segmentation: silhouette by k",
                    f"{seg['model_version']}: k = {chosen} chosen (red)",
                    charts.columns([(f"k={k}", m[f"silhouette_k{k}"]) for k in ks], "ratio",
                                   "segmentation silhouette",
                                   highlight=lambda label: label == f"k={chosen}")))
    return out


def write(card: dict[str, Any], html: str, zone: Any = None) -> dict[str, str]:
    """The page and its figures into the reports area (the day's and the latest); keys."""
    from include.c360.landing import landing_zone

    zone = zone or landing_zone()
    day = f"{REPORT_PREFIX}/dt={card['as_of']}"
    files = {"html": f"{day}/scorecard.html", "json": f"{day}/scorecard.json",
             "latest": f"{REPORT_PREFIX}/scorecard.html"}
    payload = json.dumps(card, indent=1, default=str).encode()
    for key, data in ((files["html"], html.encode()), (files["json"], payload),
                      (files["latest"], html.encode())):
        with zone.open_writer(key) as fh:
            fh.write(data)
    log.info("scorecard of %s written to %s/%s", card["as_of"], zone.uri, files["html"])
    return {k: f"{zone.uri}/{v}" for k, v in files.items()}


def publish(as_of: date, zone: Any = None) -> dict[str, Any]:
    """Build, render and write the scorecard of ``as_of``; a summary (paths, KPIs)."""
    card = build(as_of)
    paths = write(card, render(card), zone)
    kpis = {t["metric"]: {"value": t["value"], "previous": t["previous"], "shown": t["shown"],
                          "change": t["change"]} for s in card["sections"] for t in s["kpis"]}
    return {"as_of": card["as_of"], "files": paths, "kpis": kpis}
