"""SQL text: literals (the one escaper for values written into statements) and splitting a
rendered file into its statements. Both dialects read the same literals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def sql_literal(value: Any) -> str:
    """A SQL literal for the value types the platform writes into statements."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return f"cast('{value.strftime('%Y-%m-%d %H:%M:%S')}' as timestamp)"
    if isinstance(value, date):
        return f"cast('{value.isoformat()}' as date)"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}: {value!r}")


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
