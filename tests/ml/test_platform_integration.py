"""End to end on the platform's own path: generator -> ingestion -> dbt feature models -> ML
scoring -> dbt fct_customer_value, which must pick the scores up through its left joins."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from include.c360.ml import tasks
from include.c360.ml.config import SEGMENT_NAMES
from include.c360.offline import run_dbt
from include.c360.warehouse import DuckDBWarehouse

AS_OF = date(2026, 11, 24)


@pytest.mark.timeout(600)
def test_scores_flow_from_dbt_features_into_fct_customer_value(world_copy, tmp_path):
    from include.c360.ml.config import MLConfig

    cfg = MLConfig(k_max=5, silhouette_sample=600, gbm_max_iter=40)
    assert cfg.models_dir == tmp_path / "models"
    # the task callables as Airflow calls them: only the run date, warehouse from settings()
    summaries = {name: fn(AS_OF.isoformat(), cfg=cfg) for name, fn in tasks.TASKS}
    assert all(s["rows"] > 0 for s in summaries.values())

    run_dbt(world_copy, tmp_path / "dbt", "build", "--select", "fct_customer_value",
            dbt_vars={"as_of_date": AS_OF.isoformat()})
    con = duckdb.connect(str(world_copy), read_only=True)
    try:
        n_customers, n_active, with_scores, active_scored, segments, prob_ok, ltv_ok, ltv_all = (
            con.execute("""
            select count(*),
                   count(*) filter (where is_active),
                   count(churn_probability),
                   count(churn_probability) filter (where is_active),
                   list(distinct customer_segment),
                   bool_and(churn_probability between 0 and 1),
                   bool_and(predicted_ltv >= 0),
                   count(predicted_ltv)
            from marts.fct_customer_value
        """).fetchone())
        bands = dict(con.execute(
            "select coalesce(churn_band, 'not scored'), count(*) from marts.fct_customer_value "
            "group by 1").fetchall())
        dim_customers = con.execute("select count(*) from marts.dim_customers").fetchone()[0]
        feat_rows = con.execute(
            "select count(*) from features.feat_customer_segmentation").fetchone()[0]
    finally:
        con.close()
    assert n_customers == dim_customers == feat_rows
    # every active account has a churn probability (the retention population), no other
    # customer has one; every customer has an LTV and a documented segment
    assert 0 < n_active < n_customers
    assert with_scores == active_scored == n_active
    assert bands["not scored"] == n_customers - n_active
    assert sum(bands.get(b, 0) for b in ("high", "medium", "low")) == n_active
    assert prob_ok and ltv_ok and ltv_all == n_customers
    assert set(segments) <= set(SEGMENT_NAMES)
    assert summaries["score_segments"]["rows"] == n_customers

    # a re-run of the same date replaces its rows
    wh = DuckDBWarehouse(world_copy)
    try:
        again = tasks.score_churn(AS_OF.isoformat(), cfg=cfg, wh=wh)
        counts = wh.query_df("select count(*) as n, count(distinct customer_id) as d "
                             "from ml.customer_churn_scores")
    finally:
        wh.close()
    assert again["model_version"] == summaries["score_churn"]["model_version"]
    assert int(counts["n"].iloc[0]) == int(counts["d"].iloc[0]) == again["rows"]
