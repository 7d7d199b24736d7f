"""Helpers shared by the ML tests."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

# the models that read what a test loads into RAW (staging views follow RAW by themselves)
POINT_IN_TIME_MODELS = ("dim_customers", "fct_orders", "fct_transactions", "feat_customer_history")


def read_all_scores(con: Any) -> dict[str, Any]:
    """Every score table of the contract (dbt's ``ml`` source), ordered."""
    from include.c360.ml.contract import score_tables

    return {
        table: con.execute(f"select * from ml.{table} order by customer_id, scored_at").df()
        for table in score_tables()
    }


def load_raw(con: Any, source: str, rows: list[dict[str, Any]],
             landed_on: date | None = None) -> None:
    """Rows into ``raw.<source>`` as a new load of a file (the latest load wins in staging):
    the source's columns, null where not given, plus the load metadata. ``landed_on``: the
    day the file landed (its key's ``dt=`` partition, as the sources' keys carry it); without
    it the file has no partition and counts as landed on its load day."""
    from include.c360.sources import source as registry

    src = registry(source)
    names = [c.name for c in src.raw_columns]
    loaded_at = datetime.now()
    key = (f"{src.partition_prefix(landed_on)}tests_{loaded_at:%Y%m%dT%H%M%S%f}" if landed_on
           else f"tests/{source}/{loaded_at:%Y%m%dT%H%M%S%f}")
    marks = ", ".join("?" for _ in range(len(names) + 3))
    con.executemany(
        f"insert into raw.{source} ({', '.join(names)}, _loaded_at, _source_file, "
        f"_source_row_number) values ({marks})",
        [[r.get(n) for n in names] + [loaded_at, key, i] for i, r in enumerate(rows, 1)])


def rebuild(db_path: Path, workdir: Path, as_of: date,
            models: tuple[str, ...] = POINT_IN_TIME_MODELS) -> None:
    """Run dbt again on a warehouse for ``as_of`` (no open connection to it may remain)."""
    from include.c360.offline import run_dbt

    run_dbt(db_path, workdir, "run", "--select", *models,
            dbt_vars={"as_of_date": as_of.isoformat()})
