"""Atomic writes, the Snowflake path (under fakesnow), the segment naming rules and the
Airflow TaskGroup."""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pandas as pd
import pytest

from include.c360.ml import jobs, tasks
from include.c360.ml.contract import score_tables
from include.c360.ml.features import point_in_time_features
from include.c360.ml.segmentation import name_segments
from include.c360.warehouse import DuckDBWarehouse, SnowflakeWarehouse

AS_OF = "2026-11-24"


def _scores(n: int, version: str) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [f"C{i:03d}" for i in range(n)],
        "churn_probability": np.linspace(0, 1, n),
        "model_version": version,
        "scored_at": pd.Timestamp(AS_OF),
    })


def test_a_failed_write_leaves_the_previous_rows_in_place(tmp_path):
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    try:
        jobs.write_scores(wh, "customer_churn_scores", _scores(5, "v1"), date(2026, 11, 24))
        bad = _scores(5, "v2").astype({"churn_probability": object})
        bad.loc[3, "churn_probability"] = "not a number"
        with pytest.raises(Exception, match="(?i)conver|cast"):
            jobs.write_scores(wh, "customer_churn_scores", bad, date(2026, 11, 24))
        kept = wh.query_df("select model_version, count(*) as n from ml.customer_churn_scores "
                           "group by 1")
        assert kept.to_dict("records") == [{"model_version": "v1", "n": 5}]
        with pytest.raises(ValueError, match="scored twice"):
            jobs.write_scores(wh, "customer_churn_scores",
                               pd.concat([_scores(2, "v3"), _scores(1, "v3")]),
                               date(2026, 11, 24))
    finally:
        wh.close()


def test_score_table_contract_matches_what_dbt_left_joins(tmp_path):
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    try:
        assert set(score_tables()) == {"customer_segments", "customer_risk_scores",
                                       "customer_churn_scores", "customer_ltv_scores"}
        for table, columns in score_tables().items():
            wh.ensure_table("ml", table, columns)
            described = wh.query_df(f"describe ml.{table}")
            assert list(zip(described["column_name"], described["column_type"],
                            strict=True)) == [(c, t.upper()) for c, t in columns]
    finally:
        wh.close()


@pytest.mark.timeout(240)
def test_snowflake_path_reads_features_and_replaces_scores(world, cfg):
    """The dbt feature tables as Snowflake holds them (copied into fakesnow): ML reads the same
    point-in-time frames as from DuckDB, and a re-run replaces its scores and registry row."""
    import fakesnow
    import snowflake.connector

    from include.c360.ml.features import FEATURES_SCHEMA, HISTORY_TABLE

    duck = DuckDBWarehouse(world.db_path)
    try:
        tables = {t: duck.query_df(f"select * from {FEATURES_SCHEMA}.{t}")
                  for t in (HISTORY_TABLE, "feat_customer_segmentation", "feat_fraud_behavior")}
        from_duckdb = point_in_time_features(duck, date(2026, 8, 26))
    finally:
        duck.close()

    warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
    with fakesnow.patch():
        conn = snowflake.connector.connect(database="C360", schema="FEATURES")
        from snowflake.connector.pandas_tools import write_pandas

        for name, frame in tables.items():
            upper = frame.copy()
            upper.columns = [c.upper() for c in upper.columns]
            write_pandas(conn, upper, name.upper(), schema="FEATURES", auto_create_table=True,
                         quote_identifiers=False, use_logical_type=True)
        snow = SnowflakeWarehouse(connection=conn)
        from_snowflake = point_in_time_features(snow, date(2026, 8, 26))
        pd.testing.assert_frame_equal(
            from_snowflake.set_index("customer_id").astype("float64"),
            from_duckdb.set_index("customer_id").astype("float64"),
            check_exact=False, rtol=1e-9,
        )
        first = tasks.score_churn(AS_OF, cfg=cfg, wh=snow)
        second = tasks.score_churn(AS_OF, cfg=cfg, wh=snow)
        assert first["model_version"] == second["model_version"]
        counts = snow.query_df("select count(*) as n, count(distinct customer_id) as d "
                               "from ml.customer_churn_scores")
        assert int(counts["n"].iloc[0]) == int(counts["d"].iloc[0]) == first["rows"]
        reg = snow.query_df("select model_version from ml.model_registry")
        assert reg["model_version"].tolist() == [first["model_version"]]
        conn.close()


def _population() -> pd.DataFrame:
    """400 customers' 0-1 segmentation inputs, uniform."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.random((400, 5)), columns=[
        "recency_norm", "frequency_norm", "monetary_norm", "tenure_norm",
        "session_frequency_norm"])


def test_segment_names_follow_the_documented_rules():
    population = _population()
    profiles = pd.DataFrame(
        {
            # recency frequency monetary tenure sessions
            0: [0.6, 0.9, 0.9, 0.6, 0.6],   # big spenders        -> High Value
            1: [0.6, 0.4, 0.4, 0.05, 0.5],  # joined recently     -> New
            2: [0.05, 0.1, 0.1, 0.7, 0.05],  # long silent        -> Dormant
            3: [0.2, 0.6, 0.6, 0.6, 0.4],   # valuable but lapsing -> At Risk
            4: [0.8, 0.5, 0.45, 0.9, 0.5],  # old, recent, steady -> Loyal
            5: [0.5, 0.2, 0.1, 0.5, 0.95],  # browses, buys little -> Engaged Browsers
            6: [0.5, 0.5, 0.5, 0.5, 0.5],   # average             -> Occasional
        },
        index=population.columns,
    ).T
    assert name_segments(profiles, population) == {
        0: "High Value", 1: "New", 2: "Dormant", 3: "At Risk", 4: "Loyal",
        5: "Engaged Browsers", 6: "Occasional",
    }
    with pytest.raises(ValueError, match="tenure_norm"):
        name_segments(profiles.drop(columns="tenure_norm"), population)


def test_a_handful_of_outliers_does_not_take_a_segment_name():
    """KMeans may give a few outlying customers a cluster of their own (e.g. 3 of 270,000 with
    every input at 0): the rules name the clusters that hold the customers, and the outliers
    take the name of the nearest of those."""
    population = _population()
    profiles = pd.DataFrame(
        {
            # recency frequency monetary tenure sessions
            0: [0.6, 0.9, 0.9, 0.6, 0.6],    # big spenders        -> High Value
            1: [0.15, 0.1, 0.1, 0.6, 0.1],   # long silent, many   -> Dormant
            2: [0.0, 0.0, 0.0, 0.0, 0.0],    # 3 outliers          -> nearest: Dormant
            3: [0.8, 0.5, 0.45, 0.9, 0.5],   # old, recent, steady -> Loyal
        },
        index=population.columns,
    ).T
    sizes = pd.Series({0: 14_000, 1: 109_000, 2: 3, 3: 47_000})
    # without sizes the outliers, the most silent, take "Dormant" from the 109,000
    assert name_segments(profiles, population)[1] != "Dormant"
    names = name_segments(profiles, population, sizes, min_share=0.01)
    assert names == {0: "High Value", 1: "Dormant", 2: "Dormant", 3: "Loyal"}


def test_task_group_runs_the_four_tasks_in_order_with_the_run_date():
    import pendulum
    from airflow.sdk import DAG

    from include.c360.ml.taskgroup import ml_scoring_task_group

    with DAG("ml_group_test", start_date=pendulum.datetime(2026, 1, 1), schedule=None) as dag:
        group = ml_scoring_task_group(pool="duckdb_writer")
    ids = [t.task_id for t in dag.tasks]
    assert ids == ["ml_scoring.score_segments", "ml_scoring.score_fraud_risk",
                   "ml_scoring.score_churn", "ml_scoring.score_ltv"]
    for upstream, downstream in zip(dag.tasks, dag.tasks[1:], strict=False):
        assert downstream.upstream_task_ids == {upstream.task_id}
    assert all(t.op_kwargs == {"as_of": "{{ ds }}"} and t.pool == "duckdb_writer"
               for t in dag.tasks)
    assert group.group_id == "ml_scoring"
