"""The templated SQL under ``include/sql/<dialect>/``, rendered with Jinja.

The same files are rendered by Airflow (``SQLExecuteQueryOperator`` with
``template_searchpath=SQL_DIR`` and :func:`template_macros`) and by the loaders here, with the
same variables: ``params`` (database/schemas/landing), ``sources`` (the registry) and, for
per-file statements, ``src``/``key``/``path``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from include.c360.sources import SOURCES

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


def template_macros() -> dict[str, Any]:
    """Variables every ingestion SQL template may use (Airflow ``user_defined_macros``)."""
    return {"sources": SOURCES, "snowpipe_sources": [s for s in SOURCES if s.load_strategy ==
                                                     "snowpipe"]}


@cache
def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SQL_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - SQL, not HTML
    )


def render(template: str, **context: Any) -> str:
    """Render ``<dialect>/<name>.sql`` with the registry macros plus ``context``."""
    return _env().get_template(template).render(**template_macros(), **context)


def split_statements(sql: str) -> list[str]:
    """Split rendered SQL on ``;`` at line ends (the templates keep one statement per block)."""
    out, buf = [], []
    for line in sql.splitlines():
        if line.strip().startswith("--") and not buf:
            continue
        buf.append(line)
        if line.rstrip().endswith(";"):
            stmt = "\n".join(buf).strip().rstrip(";").strip()
            if stmt:
                out.append(stmt)
            buf = []
    tail = "\n".join(buf).strip()
    if tail and not all(x.strip().startswith("--") or not x.strip() for x in buf):
        out.append(tail)
    return out


def quote_literal(value: str) -> str:
    """A SQL string literal (both dialects double the single quote)."""
    return "'" + str(value).replace("'", "''") + "'"
