"""Feature matrices: dbt's feature tables, and point-in-time features / labels as of a date.

* ``feature_table``: ``features.feat_customer_segmentation`` / ``features.feat_fraud_behavior``
  as built by dbt; the feature columns are every numeric column except ``customer_id``, read
  from the warehouse at run time (dbt owns the list).
* ``point_in_time_features``: ``customer_features_as_of.sql`` over the staging views, with every
  row's event time on or before the as-of day, so the same SQL builds training snapshots
  (T-90d, T-365d) and the scoring snapshot (T).
* ``labels``: ``customer_labels.sql``, the observable outcome in the window after a snapshot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from include.c360.ml import sql as ml_sql
from include.c360.ml.warehouse import Warehouse

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

log = logging.getLogger(__name__)

STAGING_SCHEMA = "staging"
FEATURES_SCHEMA = "features"
ML_SCHEMA = "ml"
SEGMENTATION_TABLE = "feat_customer_segmentation"
FRAUD_TABLE = "feat_fraud_behavior"
ID_COLUMN = "customer_id"
# point-in-time inputs of one run (staging_snapshot.sql) and the run date they belong to
SNAPSHOT_SCHEMA = "ml_pit"
SNAPSHOT_STATE = "snapshot_state"
SNAPSHOT_STATE_COLUMNS = [("run_as_of", "date"), ("built_at", "timestamp")]


@dataclass
class FeatureMatrix:
    """Rows ordered by customer_id; ``X`` holds only the model's input columns (float64)."""

    customer_ids: np.ndarray
    X: pd.DataFrame
    source: str

    @property
    def feature_names(self) -> list[str]:
        return list(self.X.columns)


def numeric_feature_columns(frame: pd.DataFrame) -> list[str]:
    import pandas as pd

    return [
        c for c in frame.columns
        if c != ID_COLUMN and not c.startswith("_")
        and pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]


def to_matrix(frame: pd.DataFrame, source: str, allow_missing: bool = False,
              columns: list[str] | None = None) -> FeatureMatrix:
    """Check one row per customer, order by customer_id, keep the numeric feature columns."""
    if ID_COLUMN not in frame.columns:
        raise ValueError(f"{source}: no {ID_COLUMN} column (columns: {list(frame.columns)})")
    if frame[ID_COLUMN].isna().any():
        raise ValueError(f"{source}: {int(frame[ID_COLUMN].isna().sum())} rows with null "
                         f"{ID_COLUMN}")
    dupes = frame[ID_COLUMN][frame[ID_COLUMN].duplicated()]
    if len(dupes):
        raise ValueError(f"{source}: {len(dupes)} duplicate {ID_COLUMN} values, e.g. "
                         f"{dupes.iloc[0]!r}; expected one row per customer")
    ordered = frame.sort_values(ID_COLUMN, kind="mergesort").reset_index(drop=True)
    names = columns if columns is not None else numeric_feature_columns(ordered)
    missing_cols = [c for c in names if c not in ordered.columns]
    if missing_cols:
        raise ValueError(f"{source}: missing feature columns {missing_cols}")
    if not names:
        raise ValueError(f"{source}: no numeric feature columns")
    # rounded to 1e-9: the warehouse's parallel float aggregation can differ in the last bits
    # between two builds of the same data, which must not change the model or its version
    X = ordered[names].astype("float64").round(9)
    if not allow_missing:
        nulls = X.isna().sum()
        bad = nulls[nulls > 0]
        if len(bad):
            first = bad.index[0]
            row = int(X[first].isna().to_numpy().argmax())
            raise ValueError(
                f"{source}: null values in feature columns {dict(bad.astype(int))}; first at "
                f"customer_id={ordered[ID_COLUMN].iloc[row]!r}, column {first!r}"
            )
    ids = ordered[ID_COLUMN].astype(str).to_numpy()
    return FeatureMatrix(customer_ids=ids, X=X, source=source)


def feature_table(wh: Warehouse, table: str) -> FeatureMatrix:
    frame = wh.read_table(FEATURES_SCHEMA, table)
    matrix = to_matrix(frame, f"{FEATURES_SCHEMA}.{table}")
    log.info("%s: %s customers x %s features", matrix.source, len(matrix.customer_ids),
             len(matrix.feature_names))
    return matrix


def build_staging_snapshot(wh: Warehouse, run_as_of: date) -> str:
    """Materialise the point-in-time inputs of a run in schema ``ml_pit`` (one pass over each
    staging view, ``staging_snapshot.sql``) and record the run date; returns the schema."""
    import pandas as pd

    wh.ensure_table(SNAPSHOT_SCHEMA, SNAPSHOT_STATE, SNAPSHOT_STATE_COLUMNS)
    wh.execute(f"delete from {SNAPSHOT_SCHEMA}.{SNAPSHOT_STATE}")
    sql = ml_sql.render("staging_snapshot", wh.dialect, {},
                        {"staging": STAGING_SCHEMA, "target": SNAPSHOT_SCHEMA})
    code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    for statement in (s for s in code.split(";") if s.strip()):
        wh.execute(statement)
    state = pd.DataFrame({"run_as_of": [run_as_of],
                          "built_at": [pd.Timestamp.now(tz="UTC").tz_localize(None)]})
    wh.replace_rows(SNAPSHOT_SCHEMA, SNAPSHOT_STATE, state, {})
    log.info("point-in-time inputs of %s materialised in %s", run_as_of, SNAPSHOT_SCHEMA)
    return SNAPSHOT_SCHEMA


def staging_snapshot(wh: Warehouse, run_as_of: date) -> str:
    """The ``ml_pit`` inputs of this run date, built now unless the snapshot task of the same
    run date already built them."""
    if wh.table_exists(SNAPSHOT_SCHEMA, SNAPSHOT_STATE):
        state = wh.query_df(f"select run_as_of from {SNAPSHOT_SCHEMA}.{SNAPSHOT_STATE}")
        if len(state) == 1 and _as_date(state.iloc[0, 0]) == run_as_of:
            log.info("reusing the point-in-time inputs of %s in %s", run_as_of,
                     SNAPSHOT_SCHEMA)
            return SNAPSHOT_SCHEMA
    return build_staging_snapshot(wh, run_as_of)


def point_in_time_features(wh: Warehouse, as_of: date, staging: str = STAGING_SCHEMA
                           ) -> pd.DataFrame:
    """One row per customer signed up by ``as_of``; only data with event time <= as_of."""
    query = ml_sql.render("customer_features_as_of", wh.dialect, ml_sql.as_of_values(as_of),
                          {"staging": staging})
    return _rounded(wh.query_df(query))


def labels(wh: Warehouse, as_of: date, horizon_days: int, staging: str = STAGING_SCHEMA
           ) -> pd.DataFrame:
    """``churned`` and ``realised_spend`` in (as_of, as_of + horizon_days]."""
    query = ml_sql.render("customer_labels", wh.dialect,
                          ml_sql.window_values(as_of, horizon_days), {"staging": staging})
    return _rounded(wh.query_df(query))


def data_horizon(wh: Warehouse, staging: str = STAGING_SCHEMA) -> date:
    """The latest day for which both orders and sessions are loaded."""
    frame = wh.query_df(ml_sql.render("data_horizon", wh.dialect, {}, {"staging": staging}))
    days = [v for v in frame.iloc[0].tolist() if v is not None and v == v]
    if not days:
        raise LookupError("staging.stg_orders and staging.stg_events are empty: nothing to learn")
    return min(_as_date(v) for v in days)


def training_frame(wh: Warehouse, run_as_of: date, horizon_days: int,
                   staging: str = STAGING_SCHEMA) -> tuple[date, pd.DataFrame]:
    """Features as of ``run_as_of - horizon`` joined to their labels in the window ending at
    ``run_as_of``; the window must be covered by loaded data."""
    train_as_of = run_as_of - timedelta(days=horizon_days)
    horizon = data_horizon(wh, staging)
    if run_as_of > horizon:
        raise ValueError(
            f"label window ({train_as_of}, {run_as_of}] ends after the latest loaded data "
            f"({horizon}); run with as_of <= {horizon}"
        )
    feats = point_in_time_features(wh, train_as_of, staging)
    labs = labels(wh, train_as_of, horizon_days, staging)
    frame = feats.merge(labs, on=ID_COLUMN, how="inner", validate="one_to_one")
    if len(frame) != len(feats):
        raise ValueError(f"labels cover {len(frame)} of {len(feats)} customers as of "
                         f"{train_as_of}")
    return train_as_of, frame.sort_values(ID_COLUMN, kind="mergesort").reset_index(drop=True)


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns rounded to 1e-9 (see to_matrix)."""
    floats = frame.select_dtypes("float").columns
    frame[floats] = frame[floats].round(9)
    return frame


def _as_date(value: object) -> date:
    import pandas as pd

    return pd.Timestamp(value).date()
