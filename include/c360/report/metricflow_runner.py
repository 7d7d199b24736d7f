"""Ask the semantic layer (MetricFlow) several queries in ONE process of the dbt virtualenv.

Runs with the dbt virtualenv's Python (MetricFlow lives there, beside dbt), never imported by
Airflow code: it reads a JSON request on stdin and writes a JSON answer on stdout.

    {"project_dir": "...", "profiles_dir": "...",
     "queries": {"kpis": {"metrics": ["active_customers", ...], "group_by": [],
                          "where": [], "order_by": [], "end": "2026-11-24", "start": null}}}
    -> {"metrics": {name: {"label", "description", "format", "type", "semantic_models"}},
        "results": {"kpis": {"columns": [...], "rows": [[...], ...], "sql": "..."}}}

``start`` / ``end`` are inclusive dates of ``metric_time`` (MetricFlow's time constraint). One
``mf query`` per question would pay dbt's and MetricFlow's start-up every time (~5 s each);
this asks them all after one start. The CLI answers the same queries (``mf query --metrics ...``
in ``dbt/``): both go through ``MetricFlowEngine.query``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _bound(day: str | None, end: bool) -> dt.datetime | None:
    if not day:
        return None
    start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time())
    return start + dt.timedelta(days=1, microseconds=-1) if end else start


def answer(request: dict[str, Any]) -> dict[str, Any]:
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    cfg = CLIConfiguration()
    cfg.setup(dbt_profiles_path=Path(request["profiles_dir"]),
              dbt_project_path=Path(request["project_dir"]), configure_file_logging=False)
    engine = cfg.mf
    results: dict[str, Any] = {}
    asked: set[str] = set()
    for name, q in request["queries"].items():
        asked.update(q["metrics"])
        result = engine.query(MetricFlowQueryRequest.create(
            metric_names=q["metrics"], group_by_names=q.get("group_by") or None,
            where_constraints=q.get("where") or None, order_by_names=q.get("order_by") or None,
            time_constraint_start=_bound(q.get("start"), end=False),
            time_constraint_end=_bound(q.get("end"), end=True),
        ))
        table = result.result_df
        results[name] = {
            "columns": list(table.column_names) if table is not None else [],
            "rows": [[_cell(c) for c in row] for row in table.rows] if table is not None else [],
            "sql": result.sql,
        }
    metrics = {}
    for m in engine.list_metrics(include_dimensions=False):
        if m.name in asked:
            meta = (m.config.meta if m.config is not None else None) or {}
            metrics[m.name] = {"label": m.label or m.name, "description": m.description or "",
                               "format": meta.get("format", "number"), "type": str(m.type.value),
                               "semantic_models": sorted(
                                   r.semantic_model_name for r in m.semantic_models)}
    return {"metrics": metrics, "results": results}


def main() -> int:
    request = json.loads(sys.stdin.read())
    # dbt and MetricFlow log to stdout/stderr: keep stdout for the one JSON answer
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        out = answer(request)
    finally:
        sys.stdout = real_stdout
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
