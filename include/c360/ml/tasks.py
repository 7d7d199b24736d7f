"""Task callables of ML scoring: train, version, score and write back, one model per task.

The transform DAG calls them after dbt has built the feature models (schema ``features``) and
before it builds ``fct_customer_value`` (which left-joins the score tables):

    score_segments(as_of)   features.feat_customer_segmentation -> ml.customer_segments
    score_fraud_risk(as_of) features.feat_fraud_behavior        -> ml.customer_risk_scores
    score_churn(as_of)      features.feat_customer_history      -> ml.customer_churn_scores
    score_ltv(as_of)        features.feat_customer_history      -> ml.customer_ltv_scores

``as_of`` is the run's date (``YYYY-MM-DD``, the same date dbt gets as ``var('as_of_date')``).
Every model task is the same job (``run_model``): read its training data, fit (seeded), take the
data fingerprint, register the version in ml.model_registry / ml.model_metrics with its
artifact, score, and replace the rows of ``scored_at = as_of`` in its score table in one
transaction (a re-run replaces, never duplicates). A ``ModelJob`` says what differs per model.
Each task returns a small JSON-able summary (for XCom). On DuckDB they must not run in
parallel (one writer per file): chain them, or give them a one-slot pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from include.c360.ml.config import MLConfig
from include.c360.ml.features import FRAUD_TABLE, ID_COLUMN, SEGMENTATION_TABLE
from include.c360.ml.jobs import (
    Learned,
    ModelJob,
    Stopwatch,
    Training,
    parse_as_of,
    run_model,
)
from include.c360.warehouse import Warehouse, open_warehouse

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the four models


def _feature_table_training(table: str) -> Callable[..., Training]:
    """Training on a dbt feature table as of the run date (the population it scores)."""
    def training(wh: Warehouse, as_of: date, cfg: MLConfig, clock: Stopwatch) -> Training:
        from include.c360.ml.features import feature_table

        with clock.phase("read_features"):
            fm = feature_table(wh, table)
        return Training(fm.customer_ids, fm.X, as_of)
    return training


def _fit_segmentation(t: Training, cfg: MLConfig) -> Learned:
    from include.c360.ml import segmentation

    result = segmentation.fit_segmentation(t.X, cfg)
    return Learned(
        model=result, artifact={"pipeline": result.pipeline, "mapping": result.mapping},
        features=list(t.X.columns),
        metrics={"k": float(result.k), "silhouette": result.silhouettes[result.k]}
        | {f"silhouette_k{k}": v for k, v in result.silhouettes.items()},
        extra={"segments": result.profiles.reset_index(names="cluster_id")
               .to_dict(orient="records")},
    )


def _score_segments(learned: Learned, X: pd.DataFrame) -> dict[str, Any]:
    from include.c360.ml import segmentation

    cluster_ids, names = segmentation.assign_segments(learned.model, X)
    return {"customer_segment": names, "cluster_id": cluster_ids}


def _segment_sizes(frame: pd.DataFrame, cfg: MLConfig) -> dict[str, Any]:
    sizes = frame["customer_segment"].value_counts().sort_index()
    return {"segments": {str(k): int(v) for k, v in sizes.items()}}


def _fit_fraud(t: Training, cfg: MLConfig) -> Learned:
    from include.c360.ml import models

    result = models.fit_fraud(t.X, cfg)
    return Learned(model=result,
                   artifact={"pipeline": result.pipeline, "threshold": result.threshold},
                   features=list(t.X.columns), metrics=result.metrics,
                   extra={"threshold": result.threshold})


def _score_fraud(learned: Learned, X: pd.DataFrame) -> dict[str, Any]:
    from include.c360.ml import models

    risk = models.risk_scores(learned.model.pipeline, X)
    return {"risk_score": risk, "is_high_risk_customer": risk >= learned.model.threshold}


def _point_in_time_training(purpose: str, active_only: bool = False) -> Callable[..., Training]:
    """Training of churn / LTV on its training snapshot of features.feat_customer_history:
    features as of (label end - horizon), labels of the window up to the label end;
    ``active_only``: the customers whose account was active at the snapshot (churn)."""
    def training(wh: Warehouse, as_of: date, cfg: MLConfig, clock: Stopwatch) -> Training:
        from include.c360.ml.features import active_population, require_run_date, training_frame

        with clock.phase("training_features"):
            require_run_date(wh, as_of)
            train_as_of, label_end, frame = training_frame(wh, purpose)
            if active_only:
                frame = active_population(frame)
        if label_end < as_of:
            log.warning("data reaches %s only, before the run date %s: the %s label window "
                        "ends there", label_end, as_of, purpose)
        if frame.empty:
            raise ValueError(f"{purpose}: no customer had signed up by {train_as_of}; need "
                             f"history before {train_as_of} for a label window up to "
                             f"{label_end}")
        target = frame["churned" if purpose == "churn_training" else "realised_spend"]
        return Training(frame[ID_COLUMN].to_numpy(), frame, train_as_of, target.to_numpy(),
                        label_end)
    return training


def _scoring_population(active_only: bool = False) -> Callable[..., tuple[Any, Any]]:
    """Every customer as of the run date (the scoring snapshot of feat_customer_history), or
    with ``active_only`` those whose account is active (churn: the retention population)."""
    def population(wh: Warehouse, as_of: date, t: Training,
                   clock: Stopwatch) -> tuple[Any, Any]:
        from include.c360.ml.features import active_population, scoring_frame

        with clock.phase("scoring_features"):
            current = scoring_frame(wh, as_of)
            if active_only:
                current = active_population(current)
        return current[ID_COLUMN], current
    return population


def _supervised(fit_name: str) -> Callable[[Training, MLConfig], Learned]:
    """``models.fit_churn`` / ``models.fit_ltv`` on the training frame."""
    def fit(t: Training, cfg: MLConfig) -> Learned:
        from include.c360.ml import models

        result = getattr(models, fit_name)(t.X, cfg)
        return Learned(model=result, artifact=result.pipeline, features=result.features,
                       metrics=result.metrics)
    return fit


def _restore_supervised(pipeline: Any, meta: dict[str, Any]) -> Learned:
    """A saved churn / LTV version (its artifact's pipeline and metadata), ready to score."""
    from include.c360.ml import models

    result = models.SupervisedResult(pipeline, list(meta["features"]), dict(meta["metrics"]))
    return Learned(model=result, artifact=pipeline, features=result.features,
                   metrics=result.metrics)


def _holdout(metrics_name: str) -> Callable[[Learned, Training, MLConfig], dict[str, float]]:
    """``models.churn_holdout_metrics`` / ``models.ltv_holdout_metrics`` of any version on
    this run's training frame (the quality gate compares them)."""
    def holdout(learned: Learned, t: Training, cfg: MLConfig) -> dict[str, float]:
        from include.c360.ml import models

        return getattr(models, metrics_name)(learned.model, t.X, cfg)
    return holdout


def _predicted(predict_name: str, column: str) -> Callable[[Learned, Any], dict[str, Any]]:
    """``models.predict_churn`` / ``models.predict_ltv`` as the score column ``column``."""
    def score(learned: Learned, frame: pd.DataFrame) -> dict[str, Any]:
        from include.c360.ml import models

        return {column: getattr(models, predict_name)(learned.model, frame)}
    return score


def _high_risk(frame: pd.DataFrame, cfg: MLConfig) -> dict[str, Any]:
    return {"high_risk": int((frame["churn_probability"].to_numpy() > cfg.churn_high_risk).sum())}


def _predicted_total(frame: pd.DataFrame, cfg: MLConfig) -> dict[str, Any]:
    return {"predicted_total": float(frame["predicted_ltv"].to_numpy().sum())}


JOBS: dict[str, ModelJob] = {job.model_name: job for job in (
    ModelJob("segmentation", "customer_segments", _feature_table_training(SEGMENTATION_TABLE),
             _fit_segmentation, _score_segments, _segment_sizes),
    ModelJob("fraud_risk", "customer_risk_scores", _feature_table_training(FRAUD_TABLE),
             _fit_fraud, _score_fraud,
             lambda frame, cfg: {"flagged": int(frame["is_high_risk_customer"].sum())}),
    # churn: the retention population, customers whose account is active (trained on those
    # active at the training snapshot, scored on those active on the run date)
    ModelJob("churn", "customer_churn_scores",
             _point_in_time_training("churn_training", active_only=True),
             _supervised("fit_churn"), _predicted("predict_churn", "churn_probability"),
             _high_risk, _scoring_population(active_only=True),
             gate=(("holdout_roc_auc", "higher"), ("holdout_brier", "lower")),
             holdout=_holdout("churn_holdout_metrics"), restore=_restore_supervised),
    ModelJob("ltv_12m", "customer_ltv_scores", _point_in_time_training("ltv_training"),
             _supervised("fit_ltv"), _predicted("predict_ltv", "predicted_ltv"),
             _predicted_total, _scoring_population(),
             gate=(("holdout_mae", "lower"),),
             holdout=_holdout("ltv_holdout_metrics"), restore=_restore_supervised),
)}


# --------------------------------------------------------------------------- task callables


def _run(job: Callable[[Warehouse, date, MLConfig], dict[str, Any]], as_of: str | date,
         cfg: MLConfig | None, wh: Warehouse | None) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    day = parse_as_of(as_of)
    config = cfg or MLConfig()
    with threadpool_limits(limits=config.threads):
        if wh is not None:
            return job(wh, day, config)
        with open_warehouse() as owned:
            return job(owned, day, config)


def _model_task(name: str, model_name: str, doc: str) -> Callable[..., dict[str, Any]]:
    """The task callable ``name(as_of, *, cfg=None, wh=None) -> summary`` of one model."""
    job = JOBS[model_name]

    def task(as_of: str, *, cfg: MLConfig | None = None,
             wh: Warehouse | None = None) -> dict[str, Any]:
        return _run(lambda w, day, c: run_model(job, w, day, c), as_of, cfg, wh)

    task.__name__ = task.__qualname__ = name
    task.__doc__ = doc
    return task


score_segments = _model_task(
    "score_segments", "segmentation",
    "KMeans segments of every customer in features.feat_customer_segmentation.")
score_fraud_risk = _model_task(
    "score_fraud_risk", "fraud_risk",
    "IsolationForest risk score and flag of every customer in features.feat_fraud_behavior.")
score_churn = _model_task(
    "score_churn", "churn",
    "Probability that a customer whose account is active has no completed order and no "
    "session in the next 90 days.")
score_ltv = _model_task(
    "score_ltv", "ltv_12m", "Predicted completed-order spend (USD) in the next 365 days.")


#: The task callables in the order the transform DAG runs them.
TASKS: tuple[tuple[str, Callable[..., dict[str, Any]]], ...] = (
    ("score_segments", score_segments),
    ("score_fraud_risk", score_fraud_risk),
    ("score_churn", score_churn),
    ("score_ltv", score_ltv),
)


def run_all(as_of: str, *, cfg: MLConfig | None = None,
            wh: Warehouse | None = None) -> dict[str, dict[str, Any]]:
    """The four tasks in order on one warehouse connection (scripts, benchmarks)."""
    config = cfg or MLConfig()
    if wh is not None:
        return {name: fn(as_of, cfg=config, wh=wh) for name, fn in TASKS}
    with open_warehouse() as owned:
        return {name: fn(as_of, cfg=config, wh=owned) for name, fn in TASKS}
