"""The fraud, churn and LTV pipelines (scaling and model in one Pipeline) and their fitting rules
(segmentation: ``segmentation.py``).

Fraud risk (IsolationForest on feat_fraud_behavior)
    StandardScaler + IsolationForest. ``risk_score`` is the anomaly score of Liu et al. (2008),
    ``s = 2 ** (-E[h(x)] / c(n))`` = ``-score_samples``, which lies in (0, 1]: near 1 = isolated
    in few splits (anomalous), around 0.5 or below = ordinary. ``is_high_risk_customer`` flags
    the top ``fraud_flag_rate`` share of the scored population (threshold stored with the model).

Churn (point-in-time features, label from the following 90 days)
    StandardScaler + HistGradientBoostingClassifier (log loss, no early stopping, fixed seed).
    Fitted on 80 % of customers and measured on the other 20 % (split by a stable hash of
    customer_id) against a recency-only baseline: logistic regression on
    days_since_last_activity (never active: tenure_days).

LTV (point-in-time features, target = spend in the following 365 days)
    StandardScaler + HistGradientBoostingRegressor with Poisson loss (non-negative, skewed,
    many zeros); predictions clipped at 0. Same 80/20 split; baseline = the last 365 days'
    spend repeated.

Every estimator gets ``random_state`` from MLConfig and rows are ordered by customer_id
before fitting, so the same data gives the same model and the same scores.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from include.c360.ml.config import MLConfig

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

log = logging.getLogger(__name__)

# columns of the point-in-time frame that are not model inputs
NON_FEATURE_COLUMNS = ("customer_id", "churned", "realised_spend")


# --------------------------------------------------------------------------- fraud


@dataclass
class FraudResult:
    pipeline: Any
    threshold: float
    metrics: dict[str, float] = field(default_factory=dict)


def isolation_pipeline(cfg: MLConfig, n_rows: int) -> Any:
    from sklearn.ensemble import IsolationForest
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([
        ("scale", StandardScaler()),
        ("iforest", IsolationForest(
            n_estimators=cfg.isolation_trees,
            max_samples=min(cfg.isolation_max_samples, n_rows),
            random_state=cfg.random_state,
        )),
    ])


def risk_scores(pipeline: Any, X: pd.DataFrame) -> np.ndarray:
    import numpy as np

    return np.clip(-pipeline.score_samples(X.to_numpy(dtype="float64")), 0.0, 1.0)


def fit_fraud(X: pd.DataFrame, cfg: MLConfig) -> FraudResult:
    import numpy as np

    pipe = isolation_pipeline(cfg, len(X)).fit(X.to_numpy(dtype="float64"))
    scores = risk_scores(pipe, X)
    n_flag = max(1, int(np.ceil(cfg.fraud_flag_rate * len(scores))))
    threshold = float(np.sort(scores)[::-1][n_flag - 1])
    metrics = {
        "flag_rate_target": cfg.fraud_flag_rate,
        "flag_rate": float(np.mean(scores >= threshold)),
        "threshold": threshold,
        "risk_score_mean": float(scores.mean()),
        "risk_score_p99": float(np.quantile(scores, 0.99)),
    }
    return FraudResult(pipe, threshold, metrics)


# --------------------------------------------------------------------------- churn / LTV


def feature_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in NON_FEATURE_COLUMNS]


def holdout_mask(customer_ids: pd.Series | np.ndarray, share: int = 5) -> np.ndarray:
    """Stable customer split: True for ~1/share of customers (hash of customer_id)."""
    import pandas as pd

    hashed = pd.util.hash_pandas_object(pd.Series(customer_ids, dtype="string"), index=False)
    return (hashed.to_numpy() % share) == 0


def recency_only(frame: pd.DataFrame) -> np.ndarray:
    """The baseline's single input: days since last order or session; never active = tenure."""
    days = frame["days_since_last_activity"].astype("float64")
    tenure = frame["tenure_days"].astype("float64").fillna(days.max())
    return days.fillna(tenure).fillna(0.0).to_numpy().reshape(-1, 1)


def churn_pipeline(cfg: MLConfig) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([
        ("scale", StandardScaler()),
        ("model", HistGradientBoostingClassifier(
            max_iter=cfg.gbm_max_iter, learning_rate=cfg.gbm_learning_rate,
            max_leaf_nodes=cfg.gbm_max_leaf_nodes, l2_regularization=1.0,
            early_stopping=False, random_state=cfg.random_state,
        )),
    ])


def recency_baseline_pipeline(cfg: MLConfig) -> Any:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    return Pipeline([
        ("log", FunctionTransformer(np.log1p)),
        ("scale", StandardScaler()),
        ("model", LogisticRegression(random_state=cfg.random_state)),
    ])


def classification_metrics(y: np.ndarray, p: np.ndarray, prefix: str = "") -> dict[str, float]:
    import numpy as np
    from sklearn.metrics import brier_score_loss, roc_auc_score

    out = {
        f"{prefix}accuracy": float(np.mean((p >= 0.5) == (y == 1))),
        f"{prefix}brier": float(brier_score_loss(y, p)),
        f"{prefix}positive_rate": float(np.mean(y)),
    }
    out[f"{prefix}roc_auc"] = (
        float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan")
    )
    return out


@dataclass
class SupervisedResult:
    pipeline: Any
    features: list[str]
    metrics: dict[str, float]


def fit_churn(frame: pd.DataFrame, cfg: MLConfig) -> SupervisedResult:
    import numpy as np

    features = feature_columns(frame)
    y = frame["churned"].astype("int64").to_numpy()
    X = frame[features].astype("float64").to_numpy()
    hold = holdout_mask(frame["customer_id"])
    if len(np.unique(y[~hold])) < 2:
        raise ValueError("churn labels have a single class in the training window: "
                         f"{int(y.sum())} churned of {len(y)}; cannot fit a classifier")
    pipe = churn_pipeline(cfg).fit(X[~hold], y[~hold])
    result = SupervisedResult(pipe, features, {"train_rows": float((~hold).sum()),
                                               "holdout_rows": float(hold.sum())})
    result.metrics |= churn_holdout_metrics(result, frame, cfg)
    if hold.any():
        base = recency_baseline_pipeline(cfg).fit(recency_only(frame)[~hold], y[~hold])
        pb = base.predict_proba(recency_only(frame)[hold])[:, 1]
        result.metrics |= classification_metrics(y[hold], pb, "baseline_holdout_")
    return result


def churn_holdout_metrics(result: SupervisedResult, frame: pd.DataFrame, cfg: MLConfig
                          ) -> dict[str, float]:
    """``holdout_*`` metrics of a churn model on the frame's holdout customers (the 1 in 5 no
    model fitted on this frame learned from): how a new version and the current one compare."""

    hold = holdout_mask(frame["customer_id"])
    if not hold.any():
        return {}
    y = frame["churned"].astype("int64").to_numpy()[hold]
    p = predict_churn(result, frame[hold])
    return classification_metrics(y, p, "holdout_") | high_risk_metrics(
        y, p, cfg.churn_high_risk, "holdout_")


def high_risk_metrics(y: np.ndarray, p: np.ndarray, threshold: float, prefix: str = ""
                      ) -> dict[str, float]:
    """The spec's high-risk line (churn > threshold): the share flagged, the precision of the
    flag (flagged who churned) and its recall (churned who were flagged)."""
    import numpy as np

    flagged = p > threshold
    positives = y == 1
    return {
        f"{prefix}high_risk_rate": float(np.mean(flagged)),
        f"{prefix}high_risk_precision": (float(np.mean(positives[flagged])) if flagged.any()
                                         else float("nan")),
        f"{prefix}high_risk_recall": (float(np.mean(flagged[positives])) if positives.any()
                                      else float("nan")),
    }


def predict_churn(result: SupervisedResult, frame: pd.DataFrame) -> np.ndarray:
    import numpy as np

    X = frame[result.features].astype("float64").to_numpy()
    return np.clip(result.pipeline.predict_proba(X)[:, 1], 0.0, 1.0)


def ltv_pipeline(cfg: MLConfig) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([
        ("scale", StandardScaler()),
        ("model", HistGradientBoostingRegressor(
            loss="poisson", max_iter=cfg.gbm_max_iter, learning_rate=cfg.gbm_learning_rate,
            max_leaf_nodes=cfg.gbm_max_leaf_nodes, l2_regularization=1.0,
            early_stopping=False, random_state=cfg.random_state,
        )),
    ])


def regression_metrics(y: np.ndarray, pred: np.ndarray, prefix: str = "") -> dict[str, float]:
    import numpy as np

    err = pred - y
    total = float(np.sum(np.abs(y)))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return {
        f"{prefix}mae": float(np.mean(np.abs(err))),
        f"{prefix}rmse": float(np.sqrt(np.mean(err ** 2))),
        # weighted absolute percentage error: sum|error| / sum|actual| (defined with zeros)
        f"{prefix}wape": float(np.sum(np.abs(err)) / total) if total else float("nan"),
        f"{prefix}r2": float(1 - np.sum(err ** 2) / ss_tot) if ss_tot else float("nan"),
        f"{prefix}actual_mean": float(np.mean(y)),
        f"{prefix}predicted_mean": float(np.mean(pred)),
    }


def fit_ltv(frame: pd.DataFrame, cfg: MLConfig) -> SupervisedResult:

    features = feature_columns(frame)
    y = frame["realised_spend"].astype("float64").to_numpy()
    if (y < 0).any():
        raise ValueError("realised_spend has negative values; LTV target must be >= 0")
    X = frame[features].astype("float64").to_numpy()
    hold = holdout_mask(frame["customer_id"])
    if not (y[~hold] > 0).any():
        raise ValueError("no customer spent anything in the LTV training window")
    pipe = ltv_pipeline(cfg).fit(X[~hold], y[~hold])
    result = SupervisedResult(pipe, features, {"train_rows": float((~hold).sum()),
                                               "holdout_rows": float(hold.sum())})
    result.metrics |= ltv_holdout_metrics(result, frame, cfg)
    if hold.any():
        naive = frame["spend_365d"].astype("float64").to_numpy()[hold]
        result.metrics |= regression_metrics(y[hold], naive, "baseline_holdout_")
    return result


def ltv_holdout_metrics(result: SupervisedResult, frame: pd.DataFrame, cfg: MLConfig
                        ) -> dict[str, float]:
    """``holdout_*`` metrics of an LTV model on the frame's holdout customers."""
    hold = holdout_mask(frame["customer_id"])
    if not hold.any():
        return {}
    y = frame["realised_spend"].astype("float64").to_numpy()[hold]
    return regression_metrics(y, predict_ltv(result, frame[hold]), "holdout_")


def predict_ltv(result: SupervisedResult, frame: pd.DataFrame) -> np.ndarray:
    import numpy as np

    X = frame[result.features].astype("float64").to_numpy()
    return np.clip(result.pipeline.predict(X), 0.0, None)
