"""Run the generator from an Airflow DAG run's Params (the `c360_generate_sources` DAG)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from include.c360.generator.api import generate_day, generate_history
from include.c360.generator.config import GeneratorConfig

log = logging.getLogger(__name__)


def config_from_params(params: dict[str, Any]) -> GeneratorConfig:
    kwargs: dict[str, Any] = {
        "seed": int(params.get("seed", 42)),
        "scale": float(params.get("scale", 1.0)),
        "history_days": int(params.get("history_days", 730)),
    }
    if params.get("as_of"):
        kwargs["as_of"] = date.fromisoformat(str(params["as_of"]))
    return GeneratorConfig(**kwargs)


def run_from_params(params: dict[str, Any], out: str | None = None) -> dict[str, Any]:
    """Generate the history or one day's increment; a JSON-able summary (rows/files/bytes)."""
    config = config_from_params(params)
    mode = params.get("mode", "history")
    if mode == "history":
        summary = generate_history(config, out)
    elif mode == "day":
        if not params.get("day"):
            raise ValueError("mode=day needs the Param `day` (YYYY-MM-DD)")
        summary = generate_day(config, date.fromisoformat(str(params["day"])), out)
    else:
        raise ValueError(f"mode must be 'history' or 'day', not {mode!r}")
    log.info("generated %s into %s:\n%s", mode, summary.landing, summary.table())
    return {
        "mode": mode,
        "as_of": config.as_of.isoformat(),
        "landing": summary.landing,
        "rows": summary.rows,
        "files": summary.files,
        "bytes": summary.bytes,
        "sources": {s.source: {"rows": s.rows, "files": s.files} for s in summary.sources},
    }
