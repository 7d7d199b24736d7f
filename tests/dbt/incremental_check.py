"""The equivalence rule of fct_transactions' incremental path, asserted against a full refresh.

The rule (dbt/README.md, "fct_transactions: the incremental path"): after an incremental run,
fct_transactions has exactly the rows of a full refresh on the same RAW data; every column but
is_high_risk is identical for every row; is_high_risk is identical for every payment in the
run's window, and every payment outside the window keeps the row it had before the run (its
is_high_risk was evaluated when it was processed: the rules are not re-run over history).

The window is recomputed here from RAW, independently of the model: W = the first RAW load of
the payments dated within ``lookback_days`` of the newest payment merged before the run; the
window = every payment with a RAW load after W.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from include.c360.catalog import model
from tests.dbt.conftest import DbtEnv

COLUMNS = [c.name for c in model("fct_transactions").columns]
SELECT_FCT = f"select {', '.join(COLUMNS)} from marts.fct_transactions"


@dataclass(frozen=True)
class IncrementalCheck:
    window: set[str]
    outside: set[str]
    new_ids: set[str]  # payments not merged before the run
    changed_ids: set[str]  # payments merged before the run whose staged row changed
    drifted: set[str]  # outside the window, is_high_risk differs from a full refresh
    high_risk_in_window: int


def fct_rows(env: DbtEnv) -> dict[str, tuple]:
    return {r[0]: r for r in env.query(SELECT_FCT)}


def window_ids(env: DbtEnv, before: dict[str, tuple], lookback_days: int = 3) -> set[str]:
    dates = {i: r[COLUMNS.index("transaction_date")] for i, r in before.items()}
    newest = max(dates.values())
    recent = {i for i, d in dates.items() if d >= newest - timedelta(days=lookback_days)}
    loads = env.query("select trim(transaction_id), _loaded_at from raw.transactions")
    watermark = min(at for i, at in loads if i in recent)
    return {i for i, at in loads if at > watermark}


def assert_incremental_equals_full_refresh(
    env: DbtEnv, before: dict[str, tuple], as_of: str, workdir: Path
) -> IncrementalCheck:
    """``env`` has just run the incremental build; ``before`` = fct_transactions before it."""
    incremental = fct_rows(env)
    full_env = DbtEnv(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(env.db_path, full_env.db_path)
    full_env.run(
        "run",
        "--full-refresh",
        "--select",
        "fct_transactions",
        "--vars",
        json.dumps({"as_of_date": as_of}),
    )
    full = fct_rows(full_env)
    window = window_ids(env, before)

    assert set(incremental) == set(full), "the incremental run lost or invented payments"
    risk = COLUMNS.index("is_high_risk")
    for i, row in incremental.items():
        # every column but is_high_risk, for every payment
        assert row[:risk] + row[risk + 1 :] == full[i][:risk] + full[i][risk + 1 :], (row, full[i])
    wrong = {i: (incremental[i], full[i]) for i in window if incremental[i] != full[i]}
    assert not wrong, f"payments of the window differ from a full refresh: {wrong}"
    outside = set(incremental) - window
    moved = {i: (incremental[i], before.get(i)) for i in outside if incremental[i] != before.get(i)}
    assert not moved, f"payments outside the window changed: {moved}"

    new_ids = set(incremental) - set(before)
    changed = {i for i in set(before) & window if full[i][:risk] != before[i][:risk]}
    drifted = {i for i in outside if incremental[i][risk] != full[i][risk]}
    # not vacuous: the window holds the new payments, and history lies outside it
    assert new_ids and new_ids <= window and outside
    high_risk = sum(1 for i in window if full[i][risk])
    return IncrementalCheck(window, outside, new_ids, changed, drifted, high_risk)
