"""Helpers shared by the ML tests."""

from __future__ import annotations

from typing import Any


def read_all_scores(con: Any) -> dict[str, Any]:
    """Every score table of the contract (dbt's ``ml`` source), ordered."""
    from include.c360.ml.contract import score_tables

    return {
        table: con.execute(f"select * from ml.{table} order by customer_id, scored_at").df()
        for table in score_tables()
    }


def load_world_module() -> Any:
    """The synthetic world module (tests/ml/world.py), loaded once."""
    import importlib.util
    import sys
    from pathlib import Path

    name = "c360_ml_test_world"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("world.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
