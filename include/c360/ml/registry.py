"""Model versions: joblib artifacts with their metadata, and the registry tables.

A version is ``<model>-<run as-of YYYYMMDD>-<first 12 hex of the data fingerprint>``: the same
run date over the same data gives the same version (and, the fits being seeded, the same model).
The fingerprint is the SHA-256 of the training matrix (feature names, customer ids in order,
float64 values, labels), so any change to the training data changes the version.

Artifacts: ``<models_dir>/<model>/<version>.joblib`` (a dict: pipeline + metadata) and a
readable ``<version>.json`` beside it. Tables (schema ``ml``): ``model_registry`` (one row per
version) and ``model_metrics`` (one row per version and metric); re-registering a version
replaces its rows.
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
]
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
