"""The score tables' contract, read from its one definition: dbt's ``ml`` source.

``dbt/models/staging/ml/_ml__sources.yml`` lists the tables ML scoring writes in schema ``ml``
with their columns and data types, in order. dbt creates them from it (the on-run-start hook
``create_ml_score_tables``), ML scoring creates and checks its writes against it, and the tests
read it here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

ML_SOURCE = "ml"
SOURCE_YAML = Path("models") / "staging" / "ml" / "_ml__sources.yml"


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
