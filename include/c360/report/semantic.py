"""Ask the semantic layer from Airflow code: MetricFlow runs in the dbt virtualenv.

    answer = ask({"kpis": Query(metrics=("active_customers", "total_spend"), end=as_of)})
    answer.value("kpis", "active_customers"); answer.rows("kpis"); answer.metrics["total_spend"]

One subprocess of the dbt virtualenv's Python (``metricflow_runner.py``) answers every query
of a report after one start-up. The profile is the one the transform's dbt tasks use: on
DuckDB the project's ``profiles.yml`` on ``settings().duckdb_path``, on Snowflake Cosmos'
profile mapping of ``snowflake_default``. MetricFlow reads ``dbt/target/semantic_manifest.json``,
written by ``dbt parse`` with the render manifest (``make dbt-manifest``, the Dockerfile).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import tempfile
from collections.abc import Generator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from include.c360.config import settings

log = logging.getLogger(__name__)

RUNNER = Path(__file__).with_name("metricflow_runner.py")
SEMANTIC_MANIFEST = Path("target") / "semantic_manifest.json"


@dataclass(frozen=True)
class Query:
    """One MetricFlow query: metrics, group-bys, inclusive ``metric_time`` bounds."""

    metrics: tuple[str, ...]
    group_by: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    order_by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()

    def to_request(self) -> dict[str, Any]:
        req = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        req["start"] = self.start.isoformat() if self.start else None
        req["end"] = self.end.isoformat() if self.end else None
        return req


@dataclass
class Answer:
    """What MetricFlow answered: per query its columns and rows, and the metrics' definitions
    (label, description, format from ``meta.format``)."""

    results: dict[str, dict[str, Any]]
    metrics: dict[str, dict[str, str]] = field(default_factory=dict)

    def rows(self, query: str) -> list[dict[str, Any]]:
        result = self.results[query]
        return [dict(zip(result["columns"], row, strict=True)) for row in result["rows"]]

    def value(self, query: str, metric: str) -> float | None:
        """The one value of ``metric`` in a query without group-by (None: no data)."""
        rows = self.rows(query)
        if len(rows) != 1:
            raise ValueError(f"query {query!r} has {len(rows)} rows, not one")
        value = rows[0].get(metric)
        return None if value is None else float(value)


def semantic_manifest_path() -> Path:
    return settings().dbt_project_dir / SEMANTIC_MANIFEST


@contextlib.contextmanager
def _dbt_profile() -> Generator[tuple[Path, dict[str, str]], None, None]:
    """(profiles dir, environment) of the configured target, as the transform's dbt runs."""
    s = settings()
    if s.target == "duckdb":
        yield s.dbt_project_dir, {"C360_DBT_TARGET": "duckdb",
                                  "C360_DUCKDB_PATH": str(s.duckdb_path)}
        return
    from include.c360.warehouse.dbt_profiles import profile_config

    with profile_config(s.target).ensure_profile() as (profile_path, env_vars):
        yield Path(profile_path).parent, dict(env_vars)


def ask(queries: Mapping[str, Query], timeout: float = 900) -> Answer:
    """Run ``queries`` through MetricFlow on the warehouse of the configured target."""
    s = settings()
    if not semantic_manifest_path().is_file():
        raise FileNotFoundError(
            f"{semantic_manifest_path()} not found: the semantic layer's manifest is written by "
            "`dbt parse` (`make dbt-manifest`, or `PYTHONPATH=. python -m "
            "include.c360.transform.manifest`)")
    python = Path(s.dbt_executable).with_name("python")
    with _dbt_profile() as (profiles_dir, env_vars), \
            tempfile.TemporaryDirectory(prefix="c360_mf_") as logs:
        request = {"project_dir": str(s.dbt_project_dir), "profiles_dir": str(profiles_dir),
                   "queries": {name: q.to_request() for name, q in queries.items()}}
        env = {**os.environ, **env_vars, "DBT_LOG_PATH": logs, "DO_NOT_TRACK": "1",
               "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        proc = subprocess.run([str(python), str(RUNNER)], input=json.dumps(request), env=env,
                              cwd=s.dbt_project_dir, capture_output=True, text=True,
                              timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"MetricFlow failed ({proc.returncode}) answering "
                           f"{sorted(queries)}:\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout)
    log.info("MetricFlow answered %s queries", len(out["results"]))
    return Answer(results=out["results"], metrics=out["metrics"])
