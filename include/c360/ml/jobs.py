"""The one job every ML model task runs: read -> fit -> fingerprint -> gate -> register ->
score -> write, with what differs per model in a ``ModelJob`` (``tasks.JOBS`` holds the four).

``run_model`` trains on the job's ``Training`` data, takes the SHA-256 fingerprint of exactly
the rows and columns the model learned from (the version is ``<model>-<run date>-<12 hex>``),
decides whether the new version is promoted (the quality gate: not worse on its holdout than
the current version, ``registry.decide_promotion``), saves the artifact and registers the
version with that decision (ml.model_registry / ml.model_metrics), scores its population with
the promoted version (the new one, or the current one it did not beat) and replaces the run's
rows (``scored_at`` = the run date at 00:00) of its score table in one transaction. Score
tables follow the contract of dbt's ``ml`` source (``contract.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from time import perf_counter
from typing import TYPE_CHECKING, Any

from include.c360.constants import ML_SCHEMA
from include.c360.ml.config import MLConfig
from include.c360.ml.contract import score_columns, score_tables
from include.c360.ml.features import ID_COLUMN
from include.c360.warehouse import Warehouse

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


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
    columns = score_columns(table)
    if list(frame.columns) != columns:
        raise ValueError(f"ml.{table}: columns {list(frame.columns)} != contract {columns}")
    dupes = frame[ID_COLUMN].duplicated()
    if dupes.any():
        raise ValueError(f"ml.{table}: customer {frame[ID_COLUMN][dupes].iloc[0]!r} scored twice")
    wh.ensure_table(ML_SCHEMA, table, score_tables()[table])
    wh.replace_rows(ML_SCHEMA, table, frame, {"scored_at": scored_at_of(as_of)})
    return len(frame)


# --------------------------------------------------------------------------- the job skeleton


@dataclass
class Training:
    """What a model learns from, rows ordered by customer_id. ``X`` holds the columns the model
    may use (its features are a subset, in order); ``target`` the label, if supervised."""

    customer_ids: Any
    X: pd.DataFrame
    as_of: date
    target: Any = None
    label_window_end: date | None = None


@dataclass
class Learned:
    """A fitted model: what scoring uses, what is saved, and what the registry records."""

    model: Any
    artifact: Any
    features: list[str]
    metrics: dict[str, float]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelJob:
    """What one model task does differently from the others."""

    model_name: str  # registry name, the first part of the version
    table: str  # score table (ml schema), columns per the contract
    training: Callable[[Warehouse, date, MLConfig, Stopwatch], Training]
    fit: Callable[[Training, MLConfig], Learned]
    score: Callable[[Learned, pd.DataFrame], dict[str, Any]]  # score columns of a population
    summary: Callable[[pd.DataFrame, MLConfig], dict[str, Any]]  # extra summary of the scores
    # who is scored: (customer ids, inputs); None = the training population
    population: Callable[[Warehouse, date, Training, Stopwatch], tuple[Any, Any]] | None = None
    # the quality gate (supervised models): the holdout metrics a new version must not be
    # worse on, ((metric, "higher" | "lower"), ...); how any version scores on this run's
    # holdout; how a saved version is restored from its artifact (pipeline, metadata)
    gate: tuple[tuple[str, str], ...] = ()
    holdout: Callable[[Learned, Training, MLConfig], dict[str, float]] | None = None
    restore: Callable[[Any, dict[str, Any]], Learned] | None = None


def run_model(job: ModelJob, wh: Warehouse, as_of: date, cfg: MLConfig) -> dict[str, Any]:
    """read -> fit -> fingerprint -> register (artifact + registry rows) -> score -> write."""
    from include.c360.ml import registry

    clock = Stopwatch()
    training = job.training(wh, as_of, cfg, clock)
    with clock.phase("fit"):
        learned = job.fit(training, cfg)
    fp = registry.fingerprint(training.customer_ids, training.X[learned.features],
                              training.target)
    record = registry.ModelRecord(
        model_name=job.model_name,
        model_version=registry.make_version(job.model_name, as_of, fp),
        run_as_of=as_of, training_as_of=training.as_of,
        label_window_end=training.label_window_end, features=learned.features,
        n_training_rows=len(training.customer_ids), data_fingerprint=fp,
        metrics=learned.metrics, params=_params(cfg), extra=learned.extra,
    )
    with clock.phase("gate"):
        promotion, current = _gate(job, wh, record, training, cfg)
    record.is_promoted, record.promotion_reason = promotion.promoted, promotion.reason
    record.compared_with = promotion.compared_with
    record.metrics = {**record.metrics, **{f"current_{k}": v for k, v in
                                           promotion.current_metrics.items()}}
    log.info("%s %s", record.model_version, promotion.reason)
    with clock.phase("save_register"):
        registry.save_artifact(record, learned.artifact, cfg.models_dir)
        registry.register(wh, record)
    scorer, scored_with = ((learned, record.model_version) if promotion.promoted
                           else (current, promotion.compared_with))
    ids, inputs = ((training.customer_ids, training.X) if job.population is None
                   else job.population(wh, as_of, training, clock))
    with clock.phase("score"):
        frame = _score_frame(ids, as_of, scored_with, **job.score(scorer, inputs))
        frame = frame[score_columns(job.table)]
    with clock.phase("write"):
        rows = write_scores(wh, job.table, frame, as_of)
    return {
        "model_name": record.model_name, "model_version": record.model_version,
        "promoted": promotion.promoted, "promotion_reason": promotion.reason,
        "scored_with": scored_with,
        "table": f"{ML_SCHEMA}.{job.table}", "rows": rows, "metrics": dict(record.metrics),
        "seconds": clock.seconds, **job.summary(frame, cfg),
    }


def _gate(job: ModelJob, wh: Warehouse, record: Any, training: Training, cfg: MLConfig
          ) -> tuple[Any, Learned | None]:
    """The promotion decision for ``record`` and the current version's model (if measured)."""
    from include.c360.ml import registry

    if not job.gate or job.holdout is None or job.restore is None:
        return registry.Promotion(True, "promoted: no holdout measure to compare (unsupervised "
                                  "model)"), None
    current = registry.current_version(wh, job.model_name, excluding=record.model_version)
    if current is None:
        return registry.Promotion(True, "promoted: the first version of the model"), None
    version = current["model_version"]
    try:
        pipeline, meta = registry.load_artifact(current["artifact_path"])
        model = job.restore(pipeline, meta)
        measured = job.holdout(model, training, cfg)
    except (OSError, KeyError, ValueError) as err:
        return registry.Promotion(True, f"promoted: the current version {version} cannot be "
                                  f"measured on this holdout ({type(err).__name__}: {err})",
                                  version), None
    return registry.decide_promotion(record.metrics, measured, version, job.gate,
                                     cfg.promotion_tolerance), model


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
