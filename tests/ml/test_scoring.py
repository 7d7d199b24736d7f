"""The four scoring tasks on a small world: ranges, one row per customer, re-runs, registry,
reproducibility."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from tests_ml_helpers import read_all_scores

from include.c360.ml import registry, tasks
from include.c360.ml.config import SEGMENT_NAMES

AS_OF = "2026-11-24"


def test_scores_are_in_range_and_every_customer_is_scored_once(scored_world):
    path, summaries, _ = scored_world
    con = duckdb.connect(str(path), read_only=True)
    try:
        customers = set(con.execute("select customer_id from staging.stg_customers").df()
                        ["customer_id"])
        # churn scores the retention population: the accounts active on the run date
        active = set(con.execute("select customer_id from marts.dim_customers where is_active")
                     .df()["customer_id"])
        fraud_population = set(
            con.execute("select customer_id from features.feat_fraud_behavior").df()["customer_id"]
        )
        scores = read_all_scores(con)
    finally:
        con.close()

    for table, frame in scores.items():
        assert frame["customer_id"].is_unique, table
        assert frame["scored_at"].nunique() == 1, table
        assert frame["model_version"].nunique() == 1, table
        expected = {"customer_risk_scores": fraud_population,
                    "customer_churn_scores": active}.get(table, customers)
        assert set(frame["customer_id"]) == expected, table
        assert summaries[f"score_{_task(table)}"]["rows"] == len(frame)

    churn = scores["customer_churn_scores"]["churn_probability"]
    assert churn.between(0, 1).all() and churn.notna().all()
    assert churn.std() > 0.05  # the model separates customers, not one constant
    risk = scores["customer_risk_scores"]
    assert risk["risk_score"].between(0, 1).all()
    flagged = risk[risk["is_high_risk_customer"]]
    assert 0 < len(flagged) <= int(np.ceil(0.01 * len(risk))) + 1
    assert flagged["risk_score"].min() >= risk.loc[~risk["is_high_risk_customer"],
                                                   "risk_score"].max()
    ltv = scores["customer_ltv_scores"]["predicted_ltv"]
    assert (ltv >= 0).all() and ltv.notna().all() and ltv.max() > 0
    seg = scores["customer_segments"]
    assert set(seg["customer_segment"]) <= set(SEGMENT_NAMES)
    k = int(summaries["score_segments"]["metrics"]["k"])
    assert sorted(seg["cluster_id"].unique()) == list(range(k))
    # one name per cluster id
    assert (seg.groupby("cluster_id")["customer_segment"].nunique() == 1).all()


def _task(table: str) -> str:
    return {"customer_segments": "segments", "customer_risk_scores": "fraud_risk",
            "customer_churn_scores": "churn", "customer_ltv_scores": "ltv"}[table]


def test_registry_rows_and_artifacts_reproduce_the_scores(scored_world):
    path, summaries, cfg = scored_world
    con = duckdb.connect(str(path), read_only=True)
    try:
        reg = con.execute("select * from ml.model_registry order by model_name").df()
        metrics = con.execute("select * from ml.model_metrics").df()
        churn_scores = con.execute(
            "select customer_id, churn_probability from ml.customer_churn_scores "
            "order by customer_id").df()
    finally:
        con.close()
    assert sorted(reg["model_name"]) == ["churn", "fraud_risk", "ltv_12m", "segmentation"]
    assert reg["model_version"].is_unique
    # the first version of every model is promoted, and the registry says why
    assert reg["is_promoted"].all() and reg["compared_with"].isna().all()
    assert set(reg["promotion_reason"]) == {
        "promoted: the first version of the model",
        "promoted: no holdout measure to compare (unsupervised model)"}
    for row in reg.itertuples():
        assert len(row.data_fingerprint) == 64
        assert row.model_version.endswith(row.data_fingerprint[:12])
        assert json.loads(row.feature_list)
        assert Path(row.artifact_path).exists()
        assert set(json.loads(row.metrics)) == set(
            metrics.loc[metrics["model_version"] == row.model_version, "metric"])
    churn = reg.set_index("model_name").loc["churn"]
    # trained on features 90 days before the run, labels up to the run date
    assert str(churn["training_as_of"])[:10] == "2026-08-26"
    assert str(churn["label_window_end"])[:10] == AS_OF
    m = dict(zip(metrics["metric"], metrics["value"], strict=False))
    assert {"holdout_roc_auc", "baseline_holdout_roc_auc", "holdout_brier"} <= set(m)

    # the saved pipeline, applied to the scoring features, gives the stored probabilities
    from include.c360.ml.features import point_in_time_features
    from include.c360.warehouse import DuckDBWarehouse

    pipeline, meta = registry.load_artifact(churn["artifact_path"])
    wh = DuckDBWarehouse(path)
    try:
        current = point_in_time_features(wh, pd.Timestamp(AS_OF).date())
    finally:
        wh.close()
    current = current[current["is_active"]]
    p = pipeline.predict_proba(current[meta["features"]].astype("float64").to_numpy())[:, 1]
    np.testing.assert_allclose(p, churn_scores["churn_probability"].to_numpy(), rtol=0, atol=1e-12)


def test_same_date_twice_gives_identical_scores_and_no_duplicates(scored_world, wh, cfg):
    path, first_summaries, _ = scored_world
    # an independent copy of the same world, scored with the same settings, twice
    second = tasks.run_all(AS_OF, cfg=cfg, wh=wh)
    third = tasks.run_all(AS_OF, cfg=cfg, wh=wh)
    for name in first_summaries:
        assert second[name]["model_version"] == first_summaries[name]["model_version"]
        assert third[name]["model_version"] == second[name]["model_version"]
    con = duckdb.connect(str(path), read_only=True)
    try:
        first = read_all_scores(con)
    finally:
        con.close()
    again = read_all_scores(wh.con)
    for table, frame in first.items():
        assert len(again[table]) == len(frame), f"{table} duplicated on re-run"
        pd.testing.assert_frame_equal(again[table], frame, check_exact=True)
    reg = wh.query_df("select model_version, count(*) as n from ml.model_registry group by 1")
    assert (reg["n"] == 1).all()


def test_a_new_run_date_adds_its_rows_and_keeps_earlier_runs(wh, cfg):
    tasks.score_fraud_risk(AS_OF, cfg=cfg, wh=wh)
    tasks.score_fraud_risk("2026-11-25", cfg=cfg, wh=wh)
    tasks.score_fraud_risk("2026-11-25", cfg=cfg, wh=wh)
    counts = wh.query_df("select scored_at, count(*) as n, count(distinct customer_id) as d "
                         "from ml.customer_risk_scores group by 1 order by 1")
    assert len(counts) == 2
    assert (counts["n"] == counts["d"]).all()
    assert counts["n"].nunique() == 1


def test_churn_and_ltv_refuse_features_built_for_another_date(wh, cfg):
    # the world's dbt build is as of 2026-11-24: scoring 2026-11-25 would use stale features
    with pytest.raises(LookupError, match="built for as_of_date 2026-11-24.*2026-11-25"):
        tasks.score_churn("2026-11-25", cfg=cfg, wh=wh)
    wh.execute("drop table features.feat_customer_history")
    with pytest.raises(LookupError, match="features.feat_customer_history does not exist"):
        tasks.score_ltv(AS_OF, cfg=cfg, wh=wh)


def test_scoring_without_feature_tables_names_the_missing_table(wh, cfg):
    wh.execute("drop table features.feat_fraud_behavior")
    with pytest.raises(LookupError, match="features.feat_fraud_behavior does not exist"):
        tasks.score_fraud_risk(AS_OF, cfg=cfg, wh=wh)


def test_null_feature_values_are_a_clear_error(wh, cfg):
    wh.execute("update features.feat_customer_segmentation set monetary_norm = null "
               "where customer_id = (select min(customer_id) "
               "from features.feat_customer_segmentation)")
    with pytest.raises(ValueError, match="null values in feature columns.*monetary_norm"):
        tasks.score_segments(AS_OF, cfg=cfg, wh=wh)


def test_decide_promotion_compares_every_gate_metric_in_its_direction():
    gate = (("holdout_roc_auc", "higher"), ("holdout_brier", "lower"))
    current = {"holdout_roc_auc": 0.80, "holdout_brier": 0.15}
    same = registry.decide_promotion(dict(current), current, "v1", gate)
    assert same.promoted and same.compared_with == "v1"
    assert "holdout_roc_auc 0.8000 >= 0.8000" in same.reason
    worse = registry.decide_promotion({"holdout_roc_auc": 0.81, "holdout_brier": 0.16}, current,
                                      "v1", gate)
    assert not worse.promoted
    assert worse.reason.startswith("not promoted: worse than v1 on the same holdout")
    assert "holdout_brier 0.1600 > 0.1500" in worse.reason
    tolerated = registry.decide_promotion({"holdout_roc_auc": 0.799, "holdout_brier": 0.15},
                                          current, "v1", gate, tolerance=0.002)
    assert tolerated.promoted


@pytest.mark.timeout(300)
def test_a_new_version_worse_on_the_holdout_is_not_promoted(world_copy, wh, cfg, tmp_path):
    """Versions of two run dates: the later one, fitted to be worse, is registered with the
    reason it was not promoted, and its run scores with the current (earlier) version; a
    good fit of the same data is promoted."""
    from dataclasses import replace

    from tests_ml_helpers import rebuild

    first = tasks.score_churn(AS_OF, cfg=cfg, wh=wh)
    assert first["promoted"] and first["scored_with"] == first["model_version"]
    wh.close()
    rebuild(world_copy, tmp_path / "dbt", date(2026, 11, 25), ("feat_customer_history",))
    from include.c360.warehouse import DuckDBWarehouse

    later = DuckDBWarehouse(world_copy)
    try:
        crippled = replace(cfg, gbm_max_iter=1, gbm_learning_rate=0.01)
        worse = tasks.score_churn("2026-11-25", cfg=crippled, wh=later)
        assert not worse["promoted"] and worse["scored_with"] == first["model_version"]
        assert worse["promotion_reason"].startswith(
            f"not promoted: worse than {first['model_version']} on the same holdout")
        row = later.query_df("select * from ml.model_registry "
                             f"where model_version = '{worse['model_version']}'").iloc[0]
        assert not row["is_promoted"] and row["compared_with"] == first["model_version"]
        assert row["promotion_reason"] == worse["promotion_reason"]
        metrics = json.loads(row["metrics"])
        assert metrics["current_holdout_roc_auc"] > metrics["holdout_roc_auc"]
        versions = later.query_df("select distinct model_version from ml.customer_churn_scores "
                                  "where scored_at = timestamp '2026-11-25 00:00:00'")
        assert list(versions["model_version"]) == [first["model_version"]]
        # the same data fitted properly beats (or equals) the current version: promoted
        good = tasks.score_churn("2026-11-25", cfg=cfg, wh=later)
        assert good["promoted"] and good["scored_with"] == good["model_version"]
        assert registry.current_version(later, "churn")["model_version"] == good["model_version"]
    finally:
        later.close()


def test_a_registry_from_before_the_gate_gets_its_columns():
    from include.c360.warehouse import DuckDBWarehouse

    con = duckdb.connect()
    wh = DuckDBWarehouse(connection=con)
    con.execute("create schema ml")
    con.execute("create table ml.model_registry (" + ", ".join(
        f"{name} {kind}" for name, kind in registry.REGISTRY_COLUMNS[:-3]) + ")")
    registry.ensure_registry_tables(wh)
    columns = [r[0] for r in con.execute("describe ml.model_registry").fetchall()]
    assert columns == [name for name, _ in registry.REGISTRY_COLUMNS]
    assert registry.current_version(wh, "churn") is None
