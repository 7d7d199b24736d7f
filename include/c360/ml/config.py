"""Settings of the ML layer, one dataclass; every random_state comes from here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from include.c360.config import settings
from include.c360.ml.contract import dbt_var

#: Segment names, in the order the naming rules assign them (see segmentation.name_segments).
SEGMENT_NAMES: tuple[str, ...] = (
    "High Value",
    "New",
    "Dormant",
    "At Risk",
    "Loyal",
    "Engaged Browsers",
    "Occasional",
)


@dataclass(frozen=True)
class MLConfig:
    random_state: int = 42
    # segmentation: k is chosen by the best mean silhouette over this range, computed on a
    # fixed-seed sample of silhouette_sample rows (ties: the smaller k)
    k_min: int = 3
    k_max: int = 8
    silhouette_sample: int = 4_000
    kmeans_fit_sample: int = 20_000  # candidate k are fitted on at most this many rows
    # a cluster below this share of the customers gets the name of its nearest named cluster
    segment_min_share: float = 0.01
    # fraud: share of scored customers flagged is_high_risk_customer (top risk scores)
    fraud_flag_rate: float = 0.01
    isolation_trees: int = 100
    isolation_max_samples: int = 1_024
    # churn and LTV learn from dbt's features.feat_customer_history, whose label windows are
    # the dbt vars ml_churn_horizon_days (90) and ml_ltv_horizon_days (365); high risk is a
    # churn probability above the dbt var churn_alert_threshold (the spec's "> 0.7")
    churn_high_risk: float = field(
        default_factory=lambda: float(dbt_var("churn_alert_threshold")))
    # the quality gate: a new churn / LTV version is promoted when no gate metric on its
    # holdout is worse than the current version's on the same rows by more than this
    promotion_tolerance: float = 0.0
    gbm_max_iter: int = 150
    gbm_learning_rate: float = 0.08
    gbm_max_leaf_nodes: int = 31
    # OpenMP/BLAS threads per task (KMeans, gradient boosting). 1 by default: Airflow workers
    # share their cores between tasks, and on a busy 2-core machine one thread fitted the
    # churn model ~3x faster than two (spin-waiting threads). C360_ML_THREADS overrides.
    threads: int = field(default_factory=lambda: int(os.environ.get("C360_ML_THREADS", "1")))
    models_dir: Path = field(default_factory=lambda: default_models_dir())

    @property
    def k_range(self) -> range:
        return range(self.k_min, self.k_max + 1)


def default_models_dir() -> Path:
    """``C360_MODELS_DIR`` or ``<data_dir>/models``."""
    configured = os.environ.get("C360_MODELS_DIR")
    return Path(configured) if configured else settings().data_dir / "models"
