"""Task callables of ML scoring: train, version, score and write back, one model per task.

The transform DAG calls them after dbt has built the feature models (schema ``features``) and
before it builds ``fct_customer_value`` (which left-joins the score tables):

    snapshot_staging(as_of) staging views                       -> ml_pit.stg_* (inputs)
    score_segments(as_of)   features.feat_customer_segmentation -> ml.customer_segments
    score_fraud_risk(as_of) features.feat_fraud_behavior        -> ml.customer_risk_scores
    score_churn(as_of)      staging views, point in time        -> ml.customer_churn_scores
    score_ltv(as_of)        staging views, point in time        -> ml.customer_ltv_scores

``as_of`` is the run's date (``YYYY-MM-DD``, the same date dbt gets as ``var('as_of_date')``).
Each call trains on the data of that date (deterministically), saves the model artifact,
registers it in ml.model_registry / ml.model_metrics, and replaces the rows of ``scored_at =
as_of`` in its score table in one transaction (a re-run replaces, never duplicates). Each
returns a small JSON-able summary (for XCom). On DuckDB they must not run in parallel (one
writer per file): chain them, or give them a one-slot pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime, time
from time import perf_counter
from typing import TYPE_CHECKING, Any

from include.c360.ml.config import MLConfig
from include.c360.ml.features import (
    FRAUD_TABLE,
    ID_COLUMN,
    ML_SCHEMA,
    SEGMENTATION_TABLE,
)
from include.c360.ml.warehouse import Warehouse, open_warehouse

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

SCORE_TABLES: dict[str, list[tuple[str, str]]] = {
    "customer_segments": [
        ("customer_id", "varchar"), ("customer_segment", "varchar"), ("cluster_id", "int"),
        ("model_version", "varchar"), ("scored_at", "timestamp"),
    ],
    "customer_risk_scores": [
        ("customer_id", "varchar"), ("risk_score", "double"),
        ("is_high_risk_customer", "boolean"), ("model_version", "varchar"),
        ("scored_at", "timestamp"),
    ],
    "customer_churn_scores": [
        ("customer_id", "varchar"), ("churn_probability", "double"),
        ("model_version", "varchar"), ("scored_at", "timestamp"),
    ],
    "customer_ltv_scores": [
        ("customer_id", "varchar"), ("predicted_ltv", "double"),
        ("model_version", "varchar"), ("scored_at", "timestamp"),
    ],
}


class Stopwatch:
    """Seconds spent per phase of a task (reported in its summary)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Generator[None, None, None]:
        start = perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + perf_counter() - start, 3)


def parse_as_of(as_of: str | date | datetime) -> date:
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    try:
        return date.fromisoformat(str(as_of).strip()[:10])
    except ValueError:
        raise ValueError(f"as_of must be a date YYYY-MM-DD, got {as_of!r}") from None


def scored_at_of(as_of: date) -> datetime:
    """scored_at of a run: the run's as-of date at 00:00 (deterministic, one value per run)."""
    return datetime.combine(as_of, time())


def write_scores(wh: Warehouse, table: str, frame: pd.DataFrame, as_of: date) -> int:
    """Create the score table if missing and replace the run's rows in one transaction."""
    columns = [c for c, _ in SCORE_TABLES[table]]
    if list(frame.columns) != columns:
        raise ValueError(f"ml.{table}: columns {list(frame.columns)} != contract {columns}")
    dupes = frame[ID_COLUMN].duplicated()
    if dupes.any():
        raise ValueError(f"ml.{table}: customer {frame[ID_COLUMN][dupes].iloc[0]!r} scored twice")
    wh.ensure_table(ML_SCHEMA, table, SCORE_TABLES[table])
    wh.replace_rows(ML_SCHEMA, table, frame, {"scored_at": scored_at_of(as_of)})
    return len(frame)


def _score_frame(ids: Any, as_of: date, version: str, **values: Any) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame({ID_COLUMN: pd.Series(ids, dtype=object).astype(str)})
    for name, value in values.items():
        frame[name] = value
    frame["model_version"] = version
    frame["scored_at"] = pd.Timestamp(scored_at_of(as_of))
    return frame


def _params(cfg: MLConfig) -> dict[str, Any]:
    out = asdict(cfg)
    out["models_dir"] = str(cfg.models_dir)
    return out


def _summary(record: Any, table: str, rows: int, clock: Stopwatch,
             **extra: Any) -> dict[str, Any]:
    return {
        "model_name": record.model_name,
        "model_version": record.model_version,
        "table": f"{ML_SCHEMA}.{table}",
        "rows": rows,
        "metrics": {k: v for k, v in record.metrics.items()},
        "seconds": clock.seconds,
        **extra,
    }


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


# --------------------------------------------------------------------------- segmentation


def _segments(wh: Warehouse, as_of: date, cfg: MLConfig) -> dict[str, Any]:
    from include.c360.ml import models, registry
    from include.c360.ml.features import feature_table

    clock = Stopwatch()
    with clock.phase("read_features"):
        fm = feature_table(wh, SEGMENTATION_TABLE)
    with clock.phase("fit"):
        result = models.fit_segmentation(fm.X, cfg)
    fp = registry.fingerprint(fm.customer_ids, fm.X)
    record = registry.ModelRecord(
        model_name="segmentation",
        model_version=registry.make_version("segmentation", as_of, fp),
        run_as_of=as_of, training_as_of=as_of, label_window_end=None,
        features=fm.feature_names, n_training_rows=len(fm.customer_ids), data_fingerprint=fp,
        metrics={"k": float(result.k), "silhouette": result.silhouettes[result.k]}
        | {f"silhouette_k{k}": v for k, v in result.silhouettes.items()},
        params=_params(cfg),
        extra={"segments": result.profiles.reset_index(names="cluster_id")
               .to_dict(orient="records")},
    )
    with clock.phase("save_register"):
        registry.save_artifact(record, {"pipeline": result.pipeline, "mapping": result.mapping},
                               cfg.models_dir)
        registry.register(wh, record)
    with clock.phase("score"):
        cluster_ids, names = models.assign_segments(result, fm.X)
        frame = _score_frame(fm.customer_ids, as_of, record.model_version,
                             customer_segment=names, cluster_id=cluster_ids)
        frame = frame[[c for c, _ in SCORE_TABLES["customer_segments"]]]
    with clock.phase("write"):
        rows = write_scores(wh, "customer_segments", frame, as_of)
    sizes = frame["customer_segment"].value_counts().sort_index()
    return _summary(record, "customer_segments", rows, clock,
                    segments={str(k): int(v) for k, v in sizes.items()})


def score_segments(as_of: str, *, cfg: MLConfig | None = None,
                   wh: Warehouse | None = None) -> dict[str, Any]:
    """KMeans segments of every customer in features.feat_customer_segmentation."""
    return _run(_segments, as_of, cfg, wh)


# --------------------------------------------------------------------------- fraud


def _fraud(wh: Warehouse, as_of: date, cfg: MLConfig) -> dict[str, Any]:
    from include.c360.ml import models, registry
    from include.c360.ml.features import feature_table

    clock = Stopwatch()
    with clock.phase("read_features"):
        fm = feature_table(wh, FRAUD_TABLE)
    with clock.phase("fit"):
        result = models.fit_fraud(fm.X, cfg)
    fp = registry.fingerprint(fm.customer_ids, fm.X)
    record = registry.ModelRecord(
        model_name="fraud_risk",
        model_version=registry.make_version("fraud_risk", as_of, fp),
        run_as_of=as_of, training_as_of=as_of, label_window_end=None,
        features=fm.feature_names, n_training_rows=len(fm.customer_ids), data_fingerprint=fp,
        metrics=result.metrics, params=_params(cfg), extra={"threshold": result.threshold},
    )
    with clock.phase("save_register"):
        registry.save_artifact(record,
                               {"pipeline": result.pipeline, "threshold": result.threshold},
                               cfg.models_dir)
        registry.register(wh, record)
    with clock.phase("score"):
        risk = models.risk_scores(result.pipeline, fm.X)
        frame = _score_frame(fm.customer_ids, as_of, record.model_version,
                             risk_score=risk, is_high_risk_customer=risk >= result.threshold)
        frame = frame[[c for c, _ in SCORE_TABLES["customer_risk_scores"]]]
    with clock.phase("write"):
        rows = write_scores(wh, "customer_risk_scores", frame, as_of)
    return _summary(record, "customer_risk_scores", rows, clock,
                    flagged=int(frame["is_high_risk_customer"].sum()))


def score_fraud_risk(as_of: str, *, cfg: MLConfig | None = None,
                     wh: Warehouse | None = None) -> dict[str, Any]:
    """IsolationForest risk score and flag of every customer in features.feat_fraud_behavior."""
    return _run(_fraud, as_of, cfg, wh)


# --------------------------------------------------------------------------- churn / LTV


def label_end_for(wh: Warehouse, as_of: date, staging: str = "staging") -> date:
    """The training label window ends at the run date, or at the latest loaded day if the
    data does not reach the run date yet."""
    from include.c360.ml.features import data_horizon

    horizon = data_horizon(wh, staging)
    if horizon < as_of:
        log.warning("data reaches %s only, before the run date %s: label windows end there",
                    horizon, as_of)
        return horizon
    return as_of


def train_supervised(wh: Warehouse, kind: str, as_of: date, cfg: MLConfig,
                     clock: Stopwatch | None = None, staging: str = "staging"
                     ) -> tuple[Any, Any]:
    """Fit ``churn`` or ``ltv`` on features as of (label end - horizon) and the labels of the
    window up to the label end; returns (SupervisedResult, ModelRecord), artifact saved and
    registered."""
    from include.c360.ml import models, registry
    from include.c360.ml.features import training_frame

    clock = clock or Stopwatch()
    horizon = cfg.churn_horizon_days if kind == "churn" else cfg.ltv_horizon_days
    with clock.phase("training_features"):
        label_end = label_end_for(wh, as_of, staging)
        train_as_of, frame = training_frame(wh, label_end, horizon, staging)
    if frame.empty:
        raise ValueError(f"{kind}: no customer had signed up by {train_as_of}; need at least "
                         f"{horizon} days of history before {label_end}")
    with clock.phase("fit"):
        result = (models.fit_churn(frame, cfg) if kind == "churn"
                  else models.fit_ltv(frame, cfg))
    target = frame["churned" if kind == "churn" else "realised_spend"].to_numpy()
    fp = registry.fingerprint(frame[ID_COLUMN].to_numpy(), frame[result.features], target)
    name = "churn" if kind == "churn" else "ltv_12m"
    record = registry.ModelRecord(
        model_name=name, model_version=registry.make_version(name, as_of, fp),
        run_as_of=as_of, training_as_of=train_as_of, label_window_end=label_end,
        features=result.features, n_training_rows=len(frame), data_fingerprint=fp,
        metrics=result.metrics, params=_params(cfg),
    )
    with clock.phase("save_register"):
        registry.save_artifact(record, result.pipeline, cfg.models_dir)
        registry.register(wh, record)
    return result, record


def _churn(wh: Warehouse, as_of: date, cfg: MLConfig) -> dict[str, Any]:
    from include.c360.ml import models
    from include.c360.ml.features import point_in_time_features, staging_snapshot

    clock = Stopwatch()
    with clock.phase("staging_snapshot"):
        staging = staging_snapshot(wh, as_of)
    result, record = train_supervised(wh, "churn", as_of, cfg, clock, staging)
    with clock.phase("scoring_features"):
        current = point_in_time_features(wh, as_of, staging)
    with clock.phase("score"):
        p = models.predict_churn(result, current)
        frame = _score_frame(current[ID_COLUMN], as_of, record.model_version,
                             churn_probability=p)
        frame = frame[[c for c, _ in SCORE_TABLES["customer_churn_scores"]]]
    with clock.phase("write"):
        rows = write_scores(wh, "customer_churn_scores", frame, as_of)
    return _summary(record, "customer_churn_scores", rows, clock,
                    high_risk=int((p > cfg.churn_high_risk).sum()))


def score_churn(as_of: str, *, cfg: MLConfig | None = None,
                wh: Warehouse | None = None) -> dict[str, Any]:
    """Probability that a customer has no completed order and no session in the next 90 days."""
    return _run(_churn, as_of, cfg, wh)


def _ltv(wh: Warehouse, as_of: date, cfg: MLConfig) -> dict[str, Any]:
    from include.c360.ml import models
    from include.c360.ml.features import point_in_time_features, staging_snapshot

    clock = Stopwatch()
    with clock.phase("staging_snapshot"):
        staging = staging_snapshot(wh, as_of)
    result, record = train_supervised(wh, "ltv", as_of, cfg, clock, staging)
    with clock.phase("scoring_features"):
        current = point_in_time_features(wh, as_of, staging)
    with clock.phase("score"):
        pred = models.predict_ltv(result, current)
        frame = _score_frame(current[ID_COLUMN], as_of, record.model_version,
                             predicted_ltv=pred)
        frame = frame[[c for c, _ in SCORE_TABLES["customer_ltv_scores"]]]
    with clock.phase("write"):
        rows = write_scores(wh, "customer_ltv_scores", frame, as_of)
    return _summary(record, "customer_ltv_scores", rows, clock,
                    predicted_total=float(pred.sum()))


def score_ltv(as_of: str, *, cfg: MLConfig | None = None,
              wh: Warehouse | None = None) -> dict[str, Any]:
    """Predicted completed-order spend (USD) in the next 365 days."""
    return _run(_ltv, as_of, cfg, wh)


def _snapshot(wh: Warehouse, as_of: date, cfg: MLConfig) -> dict[str, Any]:
    from include.c360.ml.features import build_staging_snapshot

    clock = Stopwatch()
    with clock.phase("staging_snapshot"):
        schema = build_staging_snapshot(wh, as_of)
    rows = wh.query_df(f"select count(*) as n from {schema}.stg_customers")
    return {"schema": schema, "run_as_of": as_of.isoformat(),
            "rows": int(rows["n"].iloc[0]), "seconds": clock.seconds}


def snapshot_staging(as_of: str, *, cfg: MLConfig | None = None,
                     wh: Warehouse | None = None) -> dict[str, Any]:
    """Materialise the churn and LTV models' point-in-time inputs of this run (schema
    ``ml_pit``): one pass over each staging view instead of several per task."""
    return _run(_snapshot, as_of, cfg, wh)


#: The task callables in the order the transform DAG runs them.
TASKS: tuple[tuple[str, Callable[..., dict[str, Any]]], ...] = (
    ("snapshot_staging", snapshot_staging),
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
