"""What ML scoring takes from the dbt project, where it is defined once.

* The score tables' contract: ``dbt/models/staging/ml/_ml__sources.yml`` lists the tables ML
  scoring writes in schema ``ml`` with their columns and data types, in order. dbt creates
  them from it (the on-run-start hook ``create_ml_score_tables``), ML scoring creates and
  checks its writes against it, and the tests read it here.
* The project's vars (``dbt/dbt_project.yml``), e.g. ``churn_alert_threshold``: the churn
  probability above which a customer is high risk (dbt's retention alerts use it; ML reports
  how many it scored above it).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

ML_SOURCE = "ml"
SOURCE_YAML = Path("models") / "staging" / "ml" / "_ml__sources.yml"
PROJECT_YAML = Path("dbt_project.yml")


@cache
def _score_tables(path: Path) -> dict[str, tuple[tuple[str, str], ...]]:
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = [s for s in doc.get("sources", []) if s["name"] == ML_SOURCE]
    if len(sources) != 1:
        raise ValueError(f"{path}: expected one dbt source named {ML_SOURCE!r}")
    return {t["name"]: tuple((c["name"], c["data_type"]) for c in t["columns"])
            for t in sources[0]["tables"]}


def score_tables() -> dict[str, tuple[tuple[str, str], ...]]:
    """``{table: ((column, data_type), ...)}`` of every score table, in the YAML's order."""
    from include.c360.config import settings

    return _score_tables(settings().dbt_project_dir / SOURCE_YAML)


def score_columns(table: str) -> list[str]:
    """The column names of one score table, in order (KeyError for an unknown table)."""
    tables = score_tables()
    if table not in tables:
        raise KeyError(f"{table!r} is not a score table of the dbt source {ML_SOURCE!r}: "
                       f"{sorted(tables)}")
    return [name for name, _ in tables[table]]


@cache
def _dbt_vars(path: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8")).get("vars") or {}


def dbt_var(name: str) -> Any:
    """The default value of a var of the dbt project (KeyError when it has none)."""
    from include.c360.config import settings

    found = _dbt_vars(settings().dbt_project_dir / PROJECT_YAML)
    if name not in found:
        raise KeyError(f"the dbt project defines no var {name!r}: {sorted(found)}")
    return found[name]
