"""Reading a dbt run's results: what counts as a node's outcome (used by the tests in pytest
and by ``fakesnow_runner.py`` in the dbt virtualenv, so nothing here imports pytest)."""

from __future__ import annotations


def is_listed_exposure(unique_id: str, status: str) -> bool:
    """dbt build lists the exposures (the marts' consumers) as no-ops: not a result to check."""
    return unique_id.startswith("exposure.") and status == "no-op"
