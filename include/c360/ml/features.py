"""Feature matrices: dbt's feature tables, and point-in-time features / labels as of a date.

* ``feature_table``: ``features.feat_customer_segmentation`` / ``features.feat_fraud_behavior``
  as built by dbt; the feature columns are every numeric column except ``customer_id``, read
  from the warehouse at run time (dbt owns the list).
* ``history`` / ``training_frame`` / ``scoring_frame``: ``features.feat_customer_history``, the
  point-in-time features dbt builds (with the rules of its customer models) as of each snapshot
  of the run - the scoring snapshot (the run date) and the churn / LTV training snapshots with
  the outcome observed in their label window. ``point_in_time_features`` and ``labels`` read one
  snapshot by date.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from include.c360.constants import FEATURES_SCHEMA
from include.c360.warehouse import Warehouse, sql_literal

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

log = logging.getLogger(__name__)

SEGMENTATION_TABLE = "feat_customer_segmentation"
FRAUD_TABLE = "feat_fraud_behavior"
ID_COLUMN = "customer_id"
# the point-in-time inputs of the churn and LTV models (dbt), one snapshot per purpose
HISTORY_TABLE = "feat_customer_history"
SCORING = "scoring"
KEY_COLUMNS = ("snapshot_purpose", "snapshot_date", "horizon_days")
OUTCOME_COLUMNS = ("churned", "realised_spend")
# the account was active at the snapshot (dbt's rule): the churn model's population
ACTIVE_COLUMN = "is_active"


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


def history(wh: Warehouse, purpose: str) -> pd.DataFrame:
    """The rows of one snapshot of ``features.feat_customer_history`` (``scoring``,
    ``churn_training`` or ``ltv_training``), ordered by customer_id, floats rounded to 1e-9."""
    _require_history(wh)
    frame = wh.query_df(f"select * from {FEATURES_SCHEMA}.{HISTORY_TABLE} "
                        f"where snapshot_purpose = {sql_literal(purpose)} order by {ID_COLUMN}")
    return _rounded(frame)


def snapshot_dates(wh: Warehouse) -> dict[str, tuple[date, int | None]]:
    """``{purpose: (snapshot_date, horizon_days)}`` of the snapshots dbt last built."""
    import pandas as pd

    _require_history(wh)
    frame = wh.query_df(f"select distinct snapshot_purpose, snapshot_date, horizon_days "
                        f"from {FEATURES_SCHEMA}.{HISTORY_TABLE}")
    return {row.snapshot_purpose: (_as_date(row.snapshot_date),
                                   None if pd.isna(row.horizon_days) else int(row.horizon_days))
            for row in frame.itertuples()}


def point_in_time_features(wh: Warehouse, as_of: date) -> pd.DataFrame:
    """One row per customer signed up by ``as_of`` (customer_id and the feature columns); only
    data with event time <= as_of. ``as_of`` must be a snapshot date of the last dbt build."""
    frame = _snapshot_rows(wh, as_of)
    return frame.drop(columns=[*KEY_COLUMNS, *OUTCOME_COLUMNS]).reset_index(drop=True)


def labels(wh: Warehouse, as_of: date, horizon_days: int) -> pd.DataFrame:
    """``churned`` and ``realised_spend`` in (as_of, as_of + horizon_days] of a training
    snapshot of the last dbt build."""
    frame = _snapshot_rows(wh, as_of, horizon_days)
    return frame[[ID_COLUMN, *OUTCOME_COLUMNS]].reset_index(drop=True)


def _snapshot_rows(wh: Warehouse, as_of: date, horizon_days: int | None = None
                   ) -> pd.DataFrame:
    dates = snapshot_dates(wh)
    for purpose, (day, horizon) in sorted(dates.items()):
        if day == as_of and (horizon_days is None or horizon == horizon_days):
            return history(wh, purpose)
    built = ", ".join(f"{p} {d} ({h} days)" if h else f"{p} {d}"
                      for p, (d, h) in sorted(dates.items())) or "nothing"
    raise LookupError(f"{FEATURES_SCHEMA}.{HISTORY_TABLE} has no snapshot as of {as_of}"
                      f"{f' with a {horizon_days}-day label window' if horizon_days else ''} "
                      f"(it holds: {built}): build it with dbt's var as_of_date")


def require_run_date(wh: Warehouse, as_of: date) -> None:
    """The snapshots must be those of the run date: dbt built them for ``as_of``."""
    built = snapshot_dates(wh).get(SCORING, (None, None))[0]
    if built != as_of:
        raise LookupError(
            f"{FEATURES_SCHEMA}.{HISTORY_TABLE} was built for as_of_date {built}, the ML run is "
            f"for {as_of}: run the dbt build of {as_of} first")


def scoring_frame(wh: Warehouse, as_of: date) -> pd.DataFrame:
    """Every customer as of the run date: the scoring snapshot, which dbt must have built for
    that date (customer_id and the feature columns)."""
    require_run_date(wh, as_of)
    frame = history(wh, SCORING)
    return frame.drop(columns=[*KEY_COLUMNS, *OUTCOME_COLUMNS]).reset_index(drop=True)


def active_population(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of customers whose account was active at the snapshot, without the column
    (constant there): the population the retention team can act on."""
    if ACTIVE_COLUMN not in frame.columns:
        raise ValueError(f"{FEATURES_SCHEMA}.{HISTORY_TABLE} has no {ACTIVE_COLUMN} column: "
                         "rebuild it with dbt")
    active = frame[ACTIVE_COLUMN].astype(bool).to_numpy()
    return frame.loc[active].drop(columns=[ACTIVE_COLUMN]).reset_index(drop=True)


def _require_history(wh: Warehouse) -> None:
    if not wh.table_exists(FEATURES_SCHEMA, HISTORY_TABLE):
        raise LookupError(f"{FEATURES_SCHEMA}.{HISTORY_TABLE} does not exist in the {wh.dialect} "
                          "warehouse: build the dbt feature models before ML scoring")


def training_frame(wh: Warehouse, purpose: str) -> tuple[date, date, pd.DataFrame]:
    """(training snapshot date, label window end, features + ``churned``/``realised_spend``)
    of a training snapshot (``churn_training`` / ``ltv_training``) of the last dbt build."""
    dates = snapshot_dates(wh)
    if purpose not in dates:
        raise LookupError(
            f"{FEATURES_SCHEMA}.{HISTORY_TABLE} has no {purpose} snapshot: the warehouse holds no "
            "orders or events to learn from")
    train_as_of, horizon = dates[purpose]
    frame = history(wh, purpose).drop(columns=list(KEY_COLUMNS)).reset_index(drop=True)
    return train_as_of, train_as_of + timedelta(days=horizon), frame


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns rounded to 1e-9 (see to_matrix)."""
    floats = frame.select_dtypes("float").columns
    frame[floats] = frame[floats].round(9)
    return frame


def _as_date(value: object) -> date:
    import pandas as pd

    return pd.Timestamp(value).date()
