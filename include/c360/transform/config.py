"""The transform DAG's settings: what the environment says when the DAG is parsed
(``TransformConfig``), the trigger form's Params, and the dates every task renders from them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow.sdk import Param

from include.c360.config import settings
from include.c360.dag_defaults import default_args, pool_args

# ``C360_COSMOS_EXECUTION_MODE``: watcher (default, one dbt build) or local (a dbt call per node)
EXECUTION_MODES = ("watcher", "local")
# The date every model, test and score of the run is "as of": Param as_of_date, else the run's
# logical date (scheduled runs, backfills), else when it was due (asset-triggered runs).
AS_OF = "{{ params.as_of_date or ((dag_run.logical_date or dag_run.run_after) | ds) }}"
FULL_REFRESH = "{{ params.full_refresh }}"


@dataclass(frozen=True)
class TransformConfig:
    """Knobs read from the environment at parse time (defaults = production behaviour)."""

    target: str
    execution_mode: str = EXECUTION_MODES[0]
    retries: int = 2  # C360_TRANSFORM_RETRIES (the tests: 0, a failure shows at once)
    dbt_executable: Path = field(default_factory=lambda: settings().dbt_executable)

    @classmethod
    def from_env(cls) -> TransformConfig:
        mode = os.environ.get("C360_COSMOS_EXECUTION_MODE", EXECUTION_MODES[0]).lower()
        if mode not in EXECUTION_MODES:
            raise ValueError(f"C360_COSMOS_EXECUTION_MODE must be one of {EXECUTION_MODES}, "
                             f"not {mode!r}")
        return cls(target=settings().target, execution_mode=mode,
                   retries=int(os.environ.get("C360_TRANSFORM_RETRIES", 2)))

    @property
    def pool_args(self) -> dict[str, Any]:
        """DuckDB has one writer: every task opening the file takes the one-slot pool."""
        return pool_args(self.target)

    @property
    def default_args(self) -> dict[str, Any]:
        return default_args(retries=self.retries)


def params() -> dict[str, Param]:
    return {
        "as_of_date": Param(
            None, type=["null", "string"], format="date",
            description="Reference date of the run (YYYY-MM-DD) for dbt (var as_of_date) and "
                        "ML scoring; empty = the run's logical date.",
        ),
        "full_refresh": Param(
            False, type="boolean",
            description="Rebuild incremental models (fct_transactions) from scratch.",
        ),
        "enforce_freshness": Param(
            True, type="boolean",
            description="An error-level freshness breach stops that source's lineage; false = "
                        "report it only (e.g. rebuilding history from stale sources).",
        ),
    }
