"""Test-only patches that teach fakesnow 0.12's COPY what Snowflake's does for our statements.

They fix the stand-in, never our SQL:

* COPY transformations: ``$n`` (CSV) and ``METADATA$FILE_ROW_NUMBER`` mapped onto DuckDB's
  reader (its ``column0``.. / ``column00``.. names), and key access on NDJSON records;
* ``LOAD_UNCERTAIN_FILES = TRUE`` accepted (fakesnow raises "Unknown copy parameter"; it keeps
  its load metadata forever, so the option changes nothing there);
* a COPY whose every named file fakesnow's load metadata has answers as Snowflake does, with
  the one-column ``Copy executed with 0 files processed.`` (fakesnow answers a LOAD_SKIPPED row
  per file instead);
* ``ALTER SESSION SET TIMEZONE = '<zone>'`` as the session's time zone (fakesnow raises "not
  implemented"): DuckDB's ``TimeZone`` of that connection, which is what fakesnow's casts to
  TIMESTAMP_TZ read a timestamp without an offset in.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from contextlib import contextmanager
from typing import Any

NOTHING_COPIED = "SELECT 'Copy executed with 0 files processed.' AS status"
_SET_TIMEZONE = re.compile(
    r"^\s*alter\s+session\s+set\s+timezone\s*=\s*'([A-Za-z0-9_/+-]+)'\s*;?\s*$", re.I)


def _inserts_shim(original: Any) -> Any:
    from fakesnow import copy_into
    from sqlglot import exp

    class _ReadNDJSON(copy_into.ReadJSON):
        def read_expression(self, url):
            return exp.func("read_json", exp.Literal.string(url),
                            exp.EQ(this=exp.var("format"),
                                   expression=exp.Literal.string("newline_delimited")),
                            exp.EQ(this=exp.var("hive_partitioning"),
                                   expression=exp.false()))

    def _inserts(expr, params, urls, parquet_info=None):
        sub = expr.args["files"][0]
        if isinstance(sub, exp.Subquery):
            for node in list(sub.this.find_all(exp.Column)):
                if node.name.upper() == "METADATA$FILE_ROW_NUMBER":
                    node.replace(exp.Window(this=exp.RowNumber()))
            if isinstance(params.file_format, copy_into.ReadCSV):
                # DuckDB names a headerless file's columns column0.. (column00.. from 11 on)
                refs = list(sub.this.find_all(exp.Parameter))
                width = len(str(max((int(p.this.name) for p in refs), default=1) - 1))
                for p in refs:
                    p.replace(exp.column(f"column{int(p.this.name) - 1:0{width}d}"))
            if isinstance(params.file_format, copy_into.ReadJSON):  # key access on records
                params.file_format = _ReadNDJSON()
        return original(expr, params, urls, parquet_info)

    return _inserts


def _params_shim(original: Any) -> Any:
    def _params(expr, *args, **kwargs):
        kept = [p for p in expr.args.get("params", [])
                if p.this.name.upper() != "LOAD_UNCERTAIN_FILES"]
        expr.set("params", kept)
        return original(expr, *args, **kwargs)

    return _params


def _copy_shim(original: Any) -> Any:
    def copy_into(duck_conn, *args, **kwargs):
        sql = original(duck_conn, *args, **kwargs)
        if "LOAD_SKIPPED" not in sql:
            return sql
        rows = duck_conn.execute(sql).fetchall()
        if rows and all(r[1] == "LOAD_SKIPPED" for r in rows):
            duck_conn.execute(NOTHING_COPIED)
            return NOTHING_COPIED
        duck_conn.execute(sql)
        return sql

    return copy_into


def _execute_shim(original: Any) -> Any:
    def execute(self, command, *args, **kwargs):
        if isinstance(command, str) and (m := _SET_TIMEZONE.match(command)):
            self._duck_conn.execute(f"set TimeZone = '{m.group(1)}'")  # this session only
            return original(self, "select 'Statement executed successfully.' as status")
        return original(self, command, *args, **kwargs)

    return execute


@contextmanager
def snowflake_like_copy() -> Generator[None, None, None]:
    """Apply the patches (in this process) for the block."""
    from fakesnow import copy_into, cursor

    saved = (copy_into._inserts, copy_into._params, cursor.copy_into,
             cursor.FakeSnowflakeCursor.execute)
    copy_into._inserts = _inserts_shim(saved[0])
    copy_into._params = _params_shim(saved[1])
    cursor.copy_into = _copy_shim(saved[2])
    cursor.FakeSnowflakeCursor.execute = _execute_shim(saved[3])
    try:
        yield
    finally:
        (copy_into._inserts, copy_into._params, cursor.copy_into,
         cursor.FakeSnowflakeCursor.execute) = saved
