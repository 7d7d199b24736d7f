"""The templated SQL of ingestion under ``include/sql/<dialect>/``, rendered with Jinja.

The same files are rendered by Airflow (``SQLExecuteQueryOperator`` with
``template_searchpath=SQL_DIR`` and :func:`template_macros`) and by the loaders here, with the
same variables: ``params`` (database/schemas/landing), ``sources`` (the registry),
``sql_type`` (the warehouse's type map, behind each dialect's ``type()`` macro), ``ident`` /
``lit`` / ``url`` (a checked identifier, an escaped literal, a checked stage URL: nothing from
a Param or a file name is pasted into SQL any other way) and, for per-file statements,
``src``/``key``/``path``. Literals and statement splitting are the
warehouse package's (``include/c360/warehouse/sql.py``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from include.c360.sources import SOURCES, Source
from include.c360.warehouse.sql import sql_identifier, sql_literal, stage_url
from include.c360.warehouse.types import sql_type

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


def snowpipe_sources() -> list[Source]:
    """The sources Snowpipe loads in production (AUTO_INGEST pipes)."""
    return [s for s in SOURCES if s.load_strategy == "snowpipe"]


def template_macros() -> dict[str, Any]:
    """Variables every ingestion SQL template may use (Airflow ``user_defined_macros``)."""
    return {"sources": SOURCES, "sql_type": sql_type,
            # every identifier, value and URL a template writes goes through one of these
            "ident": sql_identifier, "lit": sql_literal, "url": stage_url,
            "snowpipe_sources": snowpipe_sources()}


@cache
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SQL_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # SQL, not HTML
    )
    # as Airflow does with user_defined_macros: globals, seen by imported macro files too
    env.globals.update(template_macros())
    return env


def render(template: str, **context: Any) -> str:
    """Render ``<dialect>/<name>.sql`` with the registry macros plus ``context``."""
    return _env().get_template(template).render(**context)
