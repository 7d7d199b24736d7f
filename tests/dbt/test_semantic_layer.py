"""The semantic layer (dbt semantic models + metrics, MetricFlow): every KPI column of the marts
has a metric, `mf validate-configs` passes on the warehouse, and `mf query` answers with the
figures that hand-written SQL over the marts gives, on the two-day build (day 1 and day 2 by
day, the latest day without a time grouping)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.dbt.conftest import DAY1_AS_OF, DAY2_AS_OF, DBT_PROJECT, DBT_VENV, TwoDayBuild

MF = DBT_VENV / "bin" / "mf"
SEMANTIC_MANIFEST = DBT_PROJECT / "target" / "semantic_manifest.json"
# the Customer 360 by day repeats columns of these marts (its own YAML says which)
DERIVED_FROM = {"fct_customer_daily": {"dim_customers", "fct_customer_value"}}


@pytest.fixture(scope="module")
def semantic_manifest(manifest: Path) -> dict:
    # `dbt parse` (the session's manifest fixture) writes the semantic manifest beside it
    return json.loads(SEMANTIC_MANIFEST.read_text())


def _kpi_columns() -> set[tuple[str, str]]:
    """(model, column) of every column marked `meta: {kpi: true}` in the marts' YAML."""
    out = set()
    for path in (DBT_PROJECT / "models" / "marts").rglob("_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            out |= {(model["name"], c["name"]) for c in model.get("columns", [])
                    if (c.get("meta") or {}).get("kpi")}
    return out


def test_every_kpi_column_of_the_marts_feeds_the_semantic_layer(semantic_manifest) -> None:
    used: set[tuple[str, str]] = set()
    for sm in semantic_manifest["semantic_models"]:
        model = sm["node_relation"]["alias"]
        elements = [*sm["measures"], *sm["dimensions"]]
        text = " ".join(f"{e['name']} {e.get('expr') or ''}" for e in elements)
        for source in {model} | DERIVED_FROM.get(model, set()):
            used |= {(source, col) for m, col in _kpi_columns() if m == source and col in text}
    assert _kpi_columns() - used == set()
    # the scan sees every KPI column of the catalog's marts
    from include.c360.catalog import load_catalog

    spec = {(m.name, c.name) for m in load_catalog().values() if m.layer == "mart"
            for c in m.columns if c.is_kpi}
    assert len(spec) == 21 and spec <= _kpi_columns()


def test_metrics_are_defined_once_with_a_label_and_a_format(semantic_manifest) -> None:
    from include.c360.report.formats import FORMATS

    names = [m["name"] for m in semantic_manifest["metrics"]]
    assert len(names) == len(set(names))
    for m in semantic_manifest["metrics"]:
        assert m["label"] and m["description"], m["name"]
        assert (m["config"]["meta"] or {}).get("format") in FORMATS, m["name"]
    # MetricFlow's time spine is the daily metricflow_time_spine model
    spines = semantic_manifest["project_configuration"]["time_spines"]
    assert [(s["node_relation"]["alias"], s["primary_column"]["name"]) for s in spines] == [
        ("metricflow_time_spine", "date_day")]


def _mf(two_day_build: TwoDayBuild, tmp_path: Path, *args: str) -> list[dict[str, str]]:
    """`mf query ... --csv` in the dbt project on the two-day build's warehouse."""
    out = tmp_path / f"mf_{len(list(tmp_path.iterdir()))}.csv"
    env = {**os.environ, "C360_DUCKDB_PATH": str(two_day_build.env.db_path),
           "C360_DBT_TARGET": "duckdb", "DBT_LOG_PATH": str(tmp_path / "logs")}
    proc = subprocess.run([str(MF), *args, "--csv", str(out)], cwd=DBT_PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with out.open() as fh:
        return list(csv.DictReader(fh))


def test_mf_validate_configs_passes_on_the_warehouse(two_day_build, tmp_path) -> None:
    env = {**os.environ, "C360_DUCKDB_PATH": str(two_day_build.env.db_path),
           "DBT_LOG_PATH": str(tmp_path / "logs")}
    proc = subprocess.run([str(MF), "validate-configs"], cwd=DBT_PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "ERRORS: 0" in proc.stdout and "Validating metrics against data warehouse" in proc.stdout


def _close(a: str | float | None, b: float | None) -> bool:
    if a in (None, "") or b is None:
        return a in (None, "") and b is None
    return abs(float(a) - b) <= 1e-6 * max(1.0, abs(b))


def test_mf_query_answers_what_sql_over_the_marts_gives(two_day_build, tmp_path) -> None:
    env = two_day_build.env

    def one(sql: str) -> float | None:
        value = env.query(sql)[0][0]
        return None if value is None else float(value)

    # the Customer 360 of the latest day (day 2): MetricFlow's non-additive snapshot metrics
    row = _mf(two_day_build, tmp_path, "query", "--metrics", ",".join([
        "customers", "active_customers", "total_spend", "completed_orders",
        "average_order_value", "high_churn_risk_customers", "avg_customer_tenure_days"]))[0]
    expected = {
        "customers": one("select count(*) from marts.fct_customer_value"),
        "active_customers": one("select count(*) from marts.dim_customers where is_active"),
        "total_spend": one(
            "select sum(amount) from marts.fct_transactions "
            "where transaction_type = 'purchase' and status = 'success'"),
        "completed_orders": one(
            "select count(*) from marts.fct_orders where order_status = 'completed'"),
        "average_order_value": one(
            "select avg(total_amount) from marts.fct_orders where order_status = 'completed'"),
        "high_churn_risk_customers": one(
            "select count(*) from marts.fct_customer_value where churn_probability > 0.7"),
        "avg_customer_tenure_days": one(
            "select avg(customer_tenure_days) from marts.dim_customers"),
    }
    assert expected["customers"] and expected["completed_orders"]
    assert {k: row[k] for k in expected if not _close(row[k], expected[k])} == {}, expected

    # the facts to date, and the rates
    row = _mf(two_day_build, tmp_path, "query", "--metrics", ",".join([
        "flagged_transactions", "flagged_amount", "gross_order_value", "gross_margin",
        "campaign_open_rate", "campaign_conversion_rate", "campaign_revenue_attributed",
        "avg_resolution_hours", "avg_csat"]))[0]
    expected = {
        "flagged_transactions": one(
            "select count(*) from marts.fct_transactions where is_high_risk"),
        "flagged_amount": one(
            "select sum(amount) from marts.fct_transactions where is_high_risk"),
        "gross_order_value": one("select sum(total_amount) from marts.fct_orders"),
        "gross_margin": one("select sum(gross_margin) from marts.fct_orders"),
        "campaign_open_rate": one("select avg(case when opened then 1.0 else 0 end) "
                                  "from marts.fct_campaigns"),
        "campaign_conversion_rate": one("select avg(case when converted then 1.0 else 0 end) "
                                        "from marts.fct_campaigns"),
        "campaign_revenue_attributed": one(
            "select sum(revenue_attributed) from marts.fct_campaigns"),
        "avg_resolution_hours": one(
            "select avg(date_diff('second', created_at, resolved_at) / 3600.0) "
            "from staging.stg_support_tickets where resolved_at is not null"),
        "avg_csat": one("select avg(satisfaction_score) from staging.stg_support_tickets"),
    }
    assert expected["flagged_transactions"], "the fixture has fraud-like payments"
    assert {k: row[k] for k in expected if not _close(row[k], expected[k])} == {}, expected

    # by day: the Customer 360 of each published day (day 1's as it stood then)
    rows = _mf(two_day_build, tmp_path, "query", "--metrics", "customers,active_customers",
               "--group-by", "metric_time__day", "--order", "metric_time__day")
    by_day = {r["metric_time__day"][:10]: r for r in rows}
    assert sorted(by_day) == [DAY1_AS_OF, DAY2_AS_OF]
    assert _close(by_day[DAY1_AS_OF]["active_customers"],
                  two_day_build.day1_state["active_customers"])
    assert _close(by_day[DAY2_AS_OF]["active_customers"],
                  one("select count(*) from marts.dim_customers where is_active"))
    # and the facts by day, with a filter on a dimension
    rows = _mf(two_day_build, tmp_path, "query", "--metrics", "transactions",
               "--group-by", "metric_time__day,transaction__status",
               "--where", "{{ Dimension('transaction__status') }} = 'failed'")
    expected_days = dict(env.query(
        "select cast(cast(transaction_date as date) as varchar), count(*) "
        "from marts.fct_transactions where status = 'failed' group by 1"))
    assert {r["metric_time__day"][:10]: int(r["transactions"]) for r in rows} == expected_days
