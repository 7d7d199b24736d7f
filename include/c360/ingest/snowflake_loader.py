"""Production warehouse: Snowflake through the Airflow ``SnowflakeHook`` (``snowflake_default``).

Batch sources: one ``COPY INTO ... FILES = ('<file>') ON_ERROR = ABORT_STATEMENT`` per file
from the source's external stage, inside one transaction with the load-history row (and the
DELETE of a changed file's previous rows, or products' full-table DELETE = TRUNCATE + INSERT
atomically; Snowflake's TRUNCATE would commit the transaction). Snowflake's own 64-day load
metadata is a second guard against double loads. Near-realtime sources are loaded by their
Snowpipe (``AUTO_INGEST = TRUE``); their DAG runs :meth:`SnowflakeLoader.check_pipe`:
``SYSTEM$PIPE_STATUS`` must be RUNNING and ``COPY_HISTORY`` tells which files loaded or failed.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from include.c360.constants import SNOWFLAKE_CONN_ID
from include.c360.ingest.base import (
    FileMeta,
    LoaderBase,
    LoadResult,
    new_load_id,
    utcnow,
)
from include.c360.ingest.config import LOADED, IngestConfig
from include.c360.ingest.sql import render
from include.c360.ingest.validate import FileError, WarehouseError, check_first_line, checking
from include.c360.landing import LandingZone
from include.c360.sources import Source
from include.c360.warehouse.connections import snowflake_hook
from include.c360.warehouse.sql import split_statements
from include.c360.warehouse.transactions import transaction

log = logging.getLogger(__name__)

SETUP_FILES = (
    "snowflake/setup/01_database.sql",
    "snowflake/setup/02_file_formats.sql",
    "snowflake/setup/03_storage_integration.sql",
    "snowflake/setup/04_stages.sql",
    "snowflake/setup/05_raw_tables.sql",
    "snowflake/setup/06_load_history.sql",
    "snowflake/setup/07_pipes.sql",
)

# "... File 'dt=.../x.csv.gz', line 4, character 12 Row 3, column "ORDERS"["QUANTITY":7] ..."
_ERR_ROW = re.compile(r"Row (\d+)", re.I)
_ERR_LINE = re.compile(r"line (\d+)", re.I)
_ERR_COL = re.compile(r'column "?[^"\[]*"?\["?([A-Za-z_][A-Za-z0-9_$]*)"?')


def is_content_error(error: BaseException) -> bool:
    """Whether a Snowflake error is about the file's content (then it is quarantined).

    Data errors of loading carry SQLSTATE class 22 ("data exception") or an error code of the
    100xxx family (100038 "Numeric value ... is not recognized", 100080 column count mismatch,
    100183 bad JSON, ...). Everything else is the warehouse's or the environment's: revoked
    privileges (003001, 42501), a dropped table or stage (002003, 42S02), a suspended or
    missing warehouse (000606, 57P03), timeouts, lost connections, expired sessions. Those fail
    the task and leave the file where it is.
    """
    sqlstate = str(getattr(error, "sqlstate", None) or "")
    errno = getattr(error, "errno", None)
    return sqlstate.startswith("22") or (isinstance(errno, int) and 100000 <= errno < 101000)


def file_error_from_snowflake(key: str, message: str, row: int | None = None,
                              column: str | None = None) -> FileError:
    """A FileError from a COPY error message (or COPY_HISTORY's first_error_* fields)."""
    if row is None and (m := _ERR_ROW.search(message) or _ERR_LINE.search(message)):
        row = int(m.group(1))
    if column is None and (m := _ERR_COL.search(message)):
        column = m.group(1)
    first = message.strip().splitlines()[0] if message.strip() else message
    return FileError(key, first, row, column.lower() if column else None)


@dataclass
class PipeCheck:
    source: str
    state: str
    pending_files: int
    loaded: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    not_yet_loaded: list[str] = field(default_factory=list)


class SnowflakeLoader(LoaderBase):
    dialect = "snowflake"

    def __init__(self, config: IngestConfig, landing_url: str,
                 conn_id: str = SNOWFLAKE_CONN_ID, storage_integration: str = "",
                 aws_role_arn: str = ""):
        self.config = config
        self.landing_url = landing_url
        self.conn_id = conn_id
        self.storage_integration = storage_integration
        self.aws_role_arn = aws_role_arn

    def _connect(self) -> Any:
        return snowflake_hook(self.conn_id)

    @property
    def hook(self) -> Any:
        return self.client

    def _records(self, query: str, params: dict[str, Any]) -> list[tuple]:
        return self.hook.get_records(split_statements(self.render(query))[0], parameters=params)

    @property
    def params(self) -> dict[str, str]:
        return {
            "database": self.config.database, "raw_schema": self.config.raw_schema,
            "meta_schema": self.config.meta_schema, "landing_url": self.landing_url,
            "storage_integration": self.storage_integration, "aws_role_arn": self.aws_role_arn,
        }

    def render(self, name: str, **ctx: Any) -> str:
        return render(name if name.startswith("snowflake/") else f"snowflake/{name}.sql",
                      params=self.params, **ctx)

    # -- setup ------------------------------------------------------------------------------
    def setup_statements(self) -> list[str]:
        return [s for f in SETUP_FILES for s in split_statements(self.render(f))]

    def setup(self) -> None:
        self.hook.run(self.setup_statements(), autocommit=True)

    def ensure_ready(self) -> None:
        """Production objects are created by the c360_setup DAG (it needs higher privileges)."""

    # -- load metadata ----------------------------------------------------------------------
    def _history_params(self, src: Source, f: FileMeta, *, status: str, load_id: str,
                        run_id: str, started: datetime, rows: int | None = None,
                        replaced: int | None = None, err: FileError | None = None,
                        quarantine_key: str | None = None) -> dict[str, Any]:
        return {
            "load_id": load_id, "source": src.name, "file_key": f.key, "file_etag": f.etag,
            "file_md5": f.md5, "file_size": f.size,
            "file_last_modified": f.last_modified.replace(tzinfo=None).isoformat(sep=" "),
            "status": status, "row_count": rows, "replaced_rows": replaced,
            "error_row": err.row if err else None, "error_column": err.column if err else None,
            "error_message": str(err) if err else None, "quarantine_key": quarantine_key,
            "run_id": run_id, "started_at": started.isoformat(sep=" "),
            "finished_at": utcnow().isoformat(sep=" "),
        }

    def record_failure(self, src: Source, f: FileMeta, err: FileError, *, status: str,
                       quarantine_key: str | None, run_id: str) -> None:
        self.hook.run(split_statements(self.render("history_insert"))[0], autocommit=True,
                      parameters=self._history_params(
                          src, f, status=status, load_id=new_load_id(), run_id=run_id,
                          started=utcnow(), err=err, quarantine_key=quarantine_key))

    # -- loading ----------------------------------------------------------------------------
    def precheck(self, src: Source, key: str, zone: LandingZone) -> None:
        """Header / first-record keys checked from the object's first bytes (no download),
        the same check as DuckDB's (``validate.check_first_line``)."""
        if src.file_format == "parquet":
            return  # COPY's $1:<column> casts name the column of a type error
        with checking(src, key):
            with zone.open(key) as raw:
                try:
                    first = gzip.GzipFile(fileobj=raw).readline()
                except (OSError, EOFError, zlib.error) as e:
                    raise FileError(key, f"not a readable gzip file: {e}", 1) from None
            check_first_line(src, key, first or None)

    def load_files(self, src: Source, items: list[tuple[FileMeta, bool]], zone: LandingZone,
                   *, truncate: bool, run_id: str) -> list[LoadResult | FileError]:
        out: list[LoadResult | FileError] = []
        for f, replace in items:
            try:
                out.append(self.load_file(src, f, zone, replace=replace, truncate=truncate,
                                          run_id=run_id))
            except FileError as err:
                out.append(err)
        return out

    def load_file(self, src: Source, f: FileMeta, zone: LandingZone, *, replace: bool,
                  truncate: bool, run_id: str) -> LoadResult:
        from snowflake.connector.errors import Error as SnowflakeError

        if f.size == 0:
            raise FileError(f.key, "empty file (0 bytes)")
        self.precheck(src, f.key, zone)
        started, load_id = utcnow(), new_load_id()
        stage_path = f.key[len(src.name) + 1:]
        conn = self.hook.get_conn()
        cur = conn.cursor()
        try:
            with transaction(cur.execute):
                replaced = 0
                if truncate or replace:
                    name = "truncate" if truncate else "delete_file_rows"
                    cur.execute(split_statements(self.render(name, src=src, key=f.key))[0])
                    replaced = cur.rowcount or 0
                cur.execute(split_statements(self.render(
                    "copy_file", src=src, key=f.key, stage_path=stage_path,
                    force=replace or truncate))[0])
                rows = self._copied_rows(src, f.key, cur)
                cur.execute(split_statements(self.render("history_insert"))[0],
                            self._history_params(src, f, status=LOADED, load_id=load_id,
                                                 run_id=run_id, started=started, rows=rows,
                                                 replaced=replaced))
        except SnowflakeError as e:  # rolled back
            if not is_content_error(e):
                raise WarehouseError(src.name, f.key, e) from e
            raise file_error_from_snowflake(f.key, getattr(e, "msg", None) or str(e)) from None
        finally:
            cur.close()
            conn.close()
        log.info("COPY INTO %s.%s: %s rows from %s", self.config.raw_schema, src.name, rows, f.key)
        return LoadResult(f.key, rows, replaced, load_id)

    @staticmethod
    def _copied_rows(src: Source, key: str, cur: Any) -> int:
        """Rows a ``COPY INTO`` of one file loaded, from its result; a rejected file raises its
        FileError (Snowflake's load metadata skipping a file it loaded before counts 0)."""
        cols = [d[0].lower() for d in cur.description]
        rows = 0
        for r in cur.fetchall():
            rec = dict(zip(cols, r, strict=True))
            if rec.get("status") == "LOAD_SKIPPED":  # Snowflake's own load metadata has it
                log.warning("%s: Snowflake already loaded %s (its load metadata); "
                            "recording it without new rows", src.name, key)
                continue
            if rec.get("status") not in (None, "LOADED"):
                raise file_error_from_snowflake(
                    key, str(rec.get("first_error") or rec.get("status")),
                    rec.get("first_error_line"), rec.get("first_error_column_name"))
            rows += int(rec.get("rows_loaded") or 0)
        return rows

    # -- Snowpipe ---------------------------------------------------------------------------
    def check_pipe(self, src: Source, since: datetime, landed: list[str],
                   grace_minutes: int = 30) -> PipeCheck:
        """Pipe RUNNING? Which landed files did it load or reject (COPY_HISTORY) since ``since``?"""
        status_json = self.hook.get_first(split_statements(
            self.render("pipe_status", src=src))[0])[0]
        status = json.loads(status_json)
        check = PipeCheck(src.name, status.get("executionState", "UNKNOWN"),
                          int(status.get("pendingFileCount", 0)))
        hist = self.hook.get_records(split_statements(self.render(
            "copy_history", src=src, start_time=since.isoformat()))[0])
        seen = set()
        for file_name, _stage, st, _rows, msg, line, col, _t in hist:
            key = file_name if file_name.startswith(src.name + "/") else f"{src.name}/{file_name}"
            seen.add(key)
            if str(st).lower() == "loaded":
                check.loaded.append(key)
            else:
                check.errors.append(file_error_from_snowflake(
                    key, f"Snowpipe {st}: {msg}", line, col))
        check.not_yet_loaded = [k for k in landed if k not in seen]
        return check


def record_pipe_loads(wh: SnowflakeLoader, src: Source, check: PipeCheck,
                      files: dict[str, FileMeta], run_id: str) -> int:
    """Mirror Snowpipe's COPY_HISTORY into the load history (once per file); returns how many."""
    known = wh.loaded_files(src)
    n = 0
    for key in check.loaded:
        if key in known or key not in files:
            continue
        wh.hook.run(split_statements(wh.render("history_insert"))[0], autocommit=True,
                    parameters=wh._history_params(src, files[key], status=LOADED,
                                                  load_id=new_load_id(), run_id=run_id,
                                                  started=utcnow()))
        n += 1
    return n
