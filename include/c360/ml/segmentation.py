"""Customer segmentation: StandardScaler + KMeans on dbt's feat_customer_segmentation, and the
rules that name its clusters.

    StandardScaler + KMeans. k is the value in ``k_min..k_max`` with the best mean silhouette
    (in the scaled space) on a fixed-seed sample of ``silhouette_sample`` rows, each candidate
    fitted (k-means++, 3 inits) on a fixed-seed sample of ``kmeans_fit_sample`` rows (ties: the
    smaller k); the chosen k is then fitted on every row, starting from the sample's
    centroids. Clusters are named from their centroids by :func:`name_segments` and
    renumbered so that cluster_id follows the name order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from include.c360.ml.config import SEGMENT_NAMES, MLConfig

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

log = logging.getLogger(__name__)

# segmentation inputs the naming rules need (dbt's feat_customer_segmentation names)
NAMING_COLUMNS = ("recency_norm", "frequency_norm", "monetary_norm", "tenure_norm")
OPTIONAL_NAMING_COLUMNS = ("session_frequency_norm",)


@dataclass
class SegmentationResult:
    pipeline: Any
    k: int
    silhouettes: dict[int, float]
    # raw KMeans label -> (stable cluster_id, segment name)
    mapping: dict[int, tuple[int, str]]
    profiles: pd.DataFrame  # per cluster_id: size and mean of every input feature


def kmeans_pipeline(k: int, cfg: MLConfig, n_init: int = 3, init: Any = "k-means++") -> Any:
    from sklearn.cluster import KMeans
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([
        ("scale", StandardScaler()),
        ("kmeans", KMeans(n_clusters=k, n_init=n_init, init=init,
                          random_state=cfg.random_state)),
    ])


def choose_k(X: np.ndarray, cfg: MLConfig) -> tuple[dict[int, float], dict[int, np.ndarray]]:
    """Mean silhouette of each candidate k on fixed-seed samples (see module doc); also the
    candidates' centroids in input units."""
    import numpy as np
    from sklearn.metrics import silhouette_score

    n = len(X)
    if n <= cfg.k_max:
        raise ValueError(f"segmentation needs more than {cfg.k_max} customers, got {n}")
    rng = np.random.default_rng(cfg.random_state)
    fit_rows = np.sort(rng.permutation(n)[: min(n, cfg.kmeans_fit_sample)])
    sil_rows = np.sort(rng.permutation(n)[: min(n, cfg.silhouette_sample)])
    scores: dict[int, float] = {}
    centers: dict[int, np.ndarray] = {}
    for k in cfg.k_range:
        pipe = kmeans_pipeline(k, cfg).fit(X[fit_rows])
        centers[k] = pipe[0].inverse_transform(pipe[-1].cluster_centers_)
        scaled = pipe[:-1].transform(X[sil_rows])
        assigned = pipe[-1].predict(scaled)
        if len(np.unique(assigned)) < 2:
            scores[k] = -1.0
            continue
        scores[k] = float(silhouette_score(scaled, assigned, random_state=cfg.random_state))
    return scores, centers


def name_segments(profiles: pd.DataFrame, population: pd.DataFrame,
                  sizes: pd.Series | None = None, min_share: float = 0.0) -> dict[int, str]:
    """Name clusters from their centroids (cluster means of the 0-1 inputs).

    Each centroid is expressed as z-scores against the population (mean / std of each input).
    Names are given greedily in this order, each to the not-yet-named cluster with the highest
    rule score, and only if that cluster meets the rule's condition:

    1. High Value       score z_monetary + z_frequency;            condition score > 0
    2. New              score -z_tenure;
                        condition z_tenure < -0.25 and z_recency > -0.5 (joined lately and
                        not silent since)
    3. Dormant          score -(z_recency + z_sessions);           condition z_recency < 0
    4. At Risk          score z_monetary + z_frequency - z_recency;
                        condition z_recency < 0 and z_monetary + z_frequency > -0.25
    5. Loyal            score z_tenure + z_recency + z_frequency;  condition score > 0
    6. Engaged Browsers score z_sessions - z_monetary;             condition z_sessions > 0
    7. Occasional       every cluster left (several clusters may share it).

    z_sessions is 0 when the table has no session_frequency_norm column. A cluster holding less
    than ``min_share`` of the customers (``sizes``: customers per cluster) takes part in no
    rule: a handful of outliers must not take a name from the cluster of the customers it
    describes. It takes the name of the nearest named cluster (centroid distance in z-scores).
    """
    import pandas as pd

    missing = [c for c in NAMING_COLUMNS if c not in profiles.columns]
    if missing:
        raise ValueError(f"segment naming needs feature columns {missing}")
    mean = population.mean()
    std = population.std(ddof=0).replace(0, 1.0)

    def z(col: str) -> pd.Series:
        if col not in profiles.columns:
            return profiles["recency_norm"] * 0.0
        return (profiles[col] - mean[col]) / std[col]

    zr, zf, zm, zt = z("recency_norm"), z("frequency_norm"), z("monetary_norm"), z("tenure_norm")
    zs = z("session_frequency_norm")
    value = zm + zf
    rules: list[tuple[str, pd.Series, pd.Series]] = [
        ("High Value", value, value > 0),
        ("New", -zt, (zt < -0.25) & (zr > -0.5)),
        ("Dormant", -(zr + zs), zr < 0),
        ("At Risk", value - zr, (zr < 0) & (value > -0.25)),
        ("Loyal", zt + zr + zf, (zt + zr + zf) > 0),
        ("Engaged Browsers", zs - zm, zs > 0),
    ]
    small = set()
    if sizes is not None:
        small = {c for c in profiles.index if sizes[c] < min_share * float(sizes.sum())}
    names: dict[int, str] = {}
    for name, score, condition in rules:
        candidates = [c for c in profiles.index
                      if c not in names and c not in small and bool(condition[c])]
        if candidates:
            # highest score; ties broken by the smaller label for determinism
            best = max(candidates, key=lambda c: (float(score[c]), -int(c)))
            names[int(best)] = name
    for c in profiles.index:
        if c not in small:
            names.setdefault(int(c), "Occasional")
    z_frame = pd.DataFrame({"r": zr, "f": zf, "m": zm, "t": zt, "s": zs})
    for c in sorted(small):
        names[int(c)] = names[_nearest(z_frame, c, names)]
    return names


def _nearest(z_frame: pd.DataFrame, cluster: int, named: dict[int, str]) -> int:
    """The named cluster whose centroid (in z-scores) is nearest to ``cluster``'s."""
    distance = ((z_frame - z_frame.loc[cluster]) ** 2).sum(axis=1)
    return min(named, key=lambda n: (float(distance[n]), n))


def fit_segmentation(X: pd.DataFrame, cfg: MLConfig) -> SegmentationResult:
    import numpy as np
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    values = X.to_numpy(dtype="float64")
    silhouettes, centers = choose_k(values, cfg)
    k = max(silhouettes, key=lambda kk: (silhouettes[kk], -kk))
    # the chosen k on every row, started from the sample fit's centroids (one Lloyd run)
    init = StandardScaler().fit(values).transform(centers[k])
    pipe = kmeans_pipeline(k, cfg, n_init=1, init=init).fit(values)
    raw = pipe.predict(values)
    profiles = X.groupby(raw).mean()
    sizes = np.bincount(raw, minlength=k)
    names = name_segments(profiles, X, pd.Series(sizes[profiles.index], index=profiles.index),
                          cfg.segment_min_share)
    order = sorted(profiles.index, key=lambda c: (SEGMENT_NAMES.index(names[int(c)]),
                                                  -float(profiles.loc[c, "monetary_norm"]),
                                                  int(c)))
    mapping = {int(c): (i, names[int(c)]) for i, c in enumerate(order)}
    profiles = profiles.assign(customers=[int(sizes[c]) for c in profiles.index])
    profiles.index = [mapping[int(c)][0] for c in profiles.index]
    profiles = profiles.sort_index()
    profiles.insert(0, "customer_segment", [mapping_name(mapping, i) for i in profiles.index])
    log.info("segmentation: k=%s (silhouettes %s), segments %s", k, silhouettes,
             {v[0]: v[1] for v in mapping.values()})
    return SegmentationResult(pipe, k, silhouettes, mapping, profiles)


def mapping_name(mapping: dict[int, tuple[int, str]], cluster_id: int) -> str:
    return next(name for cid, name in mapping.values() if cid == cluster_id)


def assign_segments(result: SegmentationResult, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    raw = result.pipeline.predict(X.to_numpy(dtype="float64"))
    cluster_ids = np.array([result.mapping[int(r)][0] for r in raw], dtype="int32")
    names = np.array([result.mapping[int(r)][1] for r in raw], dtype=object)
    return cluster_ids, names
