"""SQL text: literals (the one escaper for values written into statements), identifiers and
stage URLs (validated, never escaped: a name that does not match its pattern is refused) and
splitting a rendered file into its statements. Both dialects read the same literals.

The patterns are also the setup DAG's Param patterns (the trigger form and ``dag_run.conf``
are validated against them before a run starts); the templates call :func:`sql_identifier`,
:func:`sql_literal` and :func:`stage_url` again when they render (``ident``, ``lit``, ``url``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

# an unquoted identifier (database, schema, integration): letters, digits, _ and $
IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_$]{0,254}$"
# an external stage location: s3://bucket[/prefix] (file:///path only for the emulators' tests)
STAGE_URL_PATTERN = (r"^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.*()=/-]*)?"
                     r"|file:///[A-Za-z0-9_.=/-]*)$")
# the IAM role a storage integration assumes ('' = no integration)
AWS_ROLE_ARN_PATTERN = r"^(arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512})?$"


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


def _checked(value: Any, pattern: str, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ValueError(f"not a valid {what}: {value!r} (allowed: {pattern})")
    return value


def sql_identifier(name: Any) -> str:
    """``name`` as an unquoted identifier, or ValueError (it is never pasted unchecked)."""
    return _checked(name, IDENTIFIER_PATTERN, "SQL identifier")


def stage_url(url: Any) -> str:
    """An external stage URL as a SQL literal, or ValueError when it is not one."""
    return sql_literal(_checked(url, STAGE_URL_PATTERN, "stage URL"))


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
