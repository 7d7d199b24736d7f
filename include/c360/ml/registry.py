"""Model versions: joblib artifacts with their metadata, and the registry tables.

A version is ``<model>-<run as-of YYYYMMDD>-<first 12 hex of the data fingerprint>``: the same
run date over the same data gives the same version (and, the fits being seeded, the same model).
The fingerprint is the SHA-256 of the training matrix (feature names, customer ids in order,
float64 values, labels), so any change to the training data changes the version.

Artifacts: ``<models_dir>/<model>/<version>.joblib`` (a dict: pipeline + metadata) and a
readable ``<version>.json`` beside it. Tables (schema ``ml``): ``model_registry`` (one row per
version) and ``model_metrics`` (one row per version and metric); re-registering a version
replaces its rows.

Promotion (the quality gate): a newly trained version of a supervised model is promoted only if
it is not worse on its holdout than the current version (the latest promoted one) measured on
the same holdout rows, metric by metric (``ModelJob.gate``; ``MLConfig.promotion_tolerance``).
The registry row records the decision: ``is_promoted``, ``promotion_reason`` (the figures
compared, or why nothing was compared) and ``compared_with`` (the current version); the
current version's figures on that holdout are stored as ``current_holdout_*`` metrics of the
new version. A version that is not promoted is registered all the same; the run scores with
the current version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from include.c360.constants import ML_SCHEMA
from include.c360.warehouse import Warehouse

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

log = logging.getLogger(__name__)

REGISTRY_TABLE = "model_registry"
METRICS_TABLE = "model_metrics"
REGISTRY_COLUMNS = [
    ("model_name", "varchar"),
    ("model_version", "varchar"),
    ("run_as_of", "date"),
    ("training_as_of", "date"),
    ("label_window_end", "date"),
    ("feature_list", "varchar"),
    ("n_training_rows", "bigint"),
    ("data_fingerprint", "varchar"),
    ("metrics", "varchar"),
    ("params", "varchar"),
    ("artifact_path", "varchar"),
    ("registered_at", "timestamp"),
    ("is_promoted", "boolean"),
    ("promotion_reason", "varchar"),
    ("compared_with", "varchar"),
]
# added with the quality gate: a registry created before it gets them (alter table)
PROMOTION_COLUMNS = REGISTRY_COLUMNS[-3:]
METRICS_COLUMNS = [
    ("model_name", "varchar"),
    ("model_version", "varchar"),
    ("metric", "varchar"),
    ("value", "double"),
]


@dataclass
class ModelRecord:
    model_name: str
    model_version: str
    run_as_of: date
    training_as_of: date
    label_window_end: date | None
    features: list[str]
    n_training_rows: int
    data_fingerprint: str
    metrics: dict[str, float]
    params: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    artifact_path: str = ""
    is_promoted: bool = True
    promotion_reason: str = ""
    compared_with: str | None = None


@dataclass(frozen=True)
class Promotion:
    """The gate's decision about a new version."""

    promoted: bool
    reason: str
    compared_with: str | None = None
    current_metrics: dict[str, float] = field(default_factory=dict)


def decide_promotion(new: dict[str, float], current: dict[str, float], current_version: str,
                     gate: tuple[tuple[str, str], ...], tolerance: float = 0.0) -> Promotion:
    """Promote when the new version is not worse than the current one on any gate metric
    (``(metric, "higher" | "lower")``: the better direction), beyond ``tolerance``."""
    worse, compared = [], []
    for metric, better in gate:
        a, b = new.get(metric, float("nan")), current.get(metric, float("nan"))
        if not (math.isfinite(a) and math.isfinite(b)):
            return Promotion(True, f"promoted: {metric} not measurable on the holdout (new "
                             f"{a}, current {b})", current_version, current)
        ok = a >= b - tolerance if better == "higher" else a <= b + tolerance
        sign = (">=" if ok else "<") if better == "higher" else ("<=" if ok else ">")
        compared.append(f"{metric} {a:.4f} {sign} {b:.4f}")
        if not ok:
            worse.append(metric)
    figures = ", ".join(compared)
    if worse:
        return Promotion(False, f"not promoted: worse than {current_version} on the same holdout "
                         f"({figures})", current_version, current)
    return Promotion(True, f"promoted: not worse than {current_version} on the same holdout "
                     f"({figures})", current_version, current)


def current_version(wh: Warehouse, model_name: str, excluding: str | None = None
                    ) -> dict[str, Any] | None:
    """The model's current version: the latest promoted one in ml.model_registry (``None``
    before the first), ignoring ``excluding`` (the version being decided on)."""
    from include.c360.warehouse import sql_literal

    ensure_registry_tables(wh)
    other = f" and model_version <> {sql_literal(excluding)}" if excluding else ""
    rows = wh.query_df(
        f"select model_version, artifact_path from {ML_SCHEMA}.{REGISTRY_TABLE} "
        f"where model_name = {sql_literal(model_name)} and is_promoted{other} "
        "order by run_as_of desc, registered_at desc limit 1")
    return None if rows.empty else rows.iloc[0].to_dict()


def fingerprint(customer_ids: np.ndarray, X: pd.DataFrame, y: np.ndarray | None = None) -> str:
    import numpy as np

    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, X.columns)).encode())
    digest.update("\x1f".join(map(str, customer_ids)).encode())
    digest.update(np.ascontiguousarray(X.to_numpy(dtype="float64")).tobytes())
    if y is not None:
        digest.update(np.ascontiguousarray(np.asarray(y, dtype="float64")).tobytes())
    return digest.hexdigest()


def make_version(model_name: str, run_as_of: date, data_fingerprint: str) -> str:
    return f"{model_name}-{run_as_of:%Y%m%d}-{data_fingerprint[:12]}"


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return _json_safe(value.item())
    return value


def save_artifact(record: ModelRecord, pipeline: Any, models_dir: Path) -> Path:
    """Write ``<version>.joblib`` (atomically) and ``<version>.json``; returns the joblib path."""
    import joblib

    folder = models_dir / record.model_name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record.model_version}.joblib"
    record.artifact_path = str(path)
    meta = _json_safe(asdict(record))
    tmp = path.with_suffix(".joblib.tmp")
    joblib.dump({"pipeline": pipeline, "metadata": meta}, tmp, compress=3)
    tmp.replace(path)
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    log.info("saved %s to %s", record.model_version, path)
    return path


def load_artifact(path: Path | str) -> tuple[Any, dict[str, Any]]:
    import joblib

    payload = joblib.load(path)
    return payload["pipeline"], payload["metadata"]


def ensure_registry_tables(wh: Warehouse) -> None:
    wh.ensure_table(ML_SCHEMA, REGISTRY_TABLE, REGISTRY_COLUMNS)
    wh.ensure_table(ML_SCHEMA, METRICS_TABLE, METRICS_COLUMNS)
    for name, kind in PROMOTION_COLUMNS:  # varchar / boolean: the same type in both dialects
        wh.execute(f"alter table {ML_SCHEMA}.{REGISTRY_TABLE} add column if not exists "
                   f"{name} {kind}")


def register(wh: Warehouse, record: ModelRecord) -> None:
    """Replace this version's rows in ml.model_registry and ml.model_metrics."""
    import pandas as pd

    ensure_registry_tables(wh)
    row = pd.DataFrame([{
        "model_name": record.model_name,
        "model_version": record.model_version,
        "run_as_of": pd.Timestamp(record.run_as_of),
        "training_as_of": pd.Timestamp(record.training_as_of),
        "label_window_end": (pd.Timestamp(record.label_window_end)
                             if record.label_window_end else pd.NaT),
        "feature_list": json.dumps(record.features),
        "n_training_rows": int(record.n_training_rows),
        "data_fingerprint": record.data_fingerprint,
        "metrics": json.dumps(_json_safe(record.metrics), sort_keys=True),
        "params": json.dumps(_json_safe(record.params), sort_keys=True),
        "artifact_path": record.artifact_path,
        "registered_at": pd.Timestamp(datetime.now(UTC).replace(tzinfo=None)),
        "is_promoted": bool(record.is_promoted),
        "promotion_reason": record.promotion_reason,
        "compared_with": record.compared_with,
    }])
    for col in ("run_as_of", "training_as_of", "label_window_end"):
        row[col] = pd.to_datetime(row[col]).dt.date
    wh.replace_rows(ML_SCHEMA, REGISTRY_TABLE, row, {"model_version": record.model_version})
    metrics = pd.DataFrame(
        [
            {"model_name": record.model_name, "model_version": record.model_version,
             "metric": k, "value": float(v)}
            for k, v in sorted(record.metrics.items())
        ],
        columns=[c for c, _ in METRICS_COLUMNS],
    )
    wh.replace_rows(ML_SCHEMA, METRICS_TABLE, metrics, {"model_version": record.model_version})
