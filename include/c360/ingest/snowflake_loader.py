"""Production warehouse: Snowflake through the Airflow ``SnowflakeHook`` (``snowflake_default``).

Batch sources: one ``COPY INTO ... FILES = ('<file>') ON_ERROR = ABORT_STATEMENT`` per file
from the source's external stage, inside one transaction with the load-history row (and the
DELETE of a changed file's previous rows, or products' full-table DELETE = TRUNCATE + INSERT
atomically; Snowflake's TRUNCATE would commit the transaction). Our load history decides what
loads; Snowflake's own 64-day load metadata is a second guard against double loads: a file it
says it loaded already ("Copy executed with 0 files processed") is recorded as LOADED with the
rows RAW holds from it, never quarantined, and ``LOAD_UNCERTAIN_FILES = TRUE`` loads a file our
history does not have even when its load status aged out of Snowflake's metadata.

Before a COPY each file is checked, from a local copy, with the DuckDB loader's own checks
(``validate``): the CSV header, every NDJSON record's keys, a Parquet file's column names and
types (a renamed column would otherwise load as NULLs through ``$1:<column>::<type>``), and
every value with the DuckDB path's conversion rules (``validate.check_values``): COPY's casts
would round ``2.5`` into an integer column and load a JSON object into a string column as its
text. A file that fails is the file's error naming row, column and value; so is a file the
check cannot read. The COPY stores a timestamp's UTC instant (``convert_timezone('UTC',
<value>::timestamp_tz)``), in a session whose time zone is UTC (``session.sql``), so an offset
is converted and a timestamp without one is UTC.

Near-realtime sources are loaded by their Snowpipe (``AUTO_INGEST = TRUE``); their DAG runs
:meth:`SnowflakeLoader.check_pipe`: ``SYSTEM$PIPE_STATUS`` must be RUNNING and ``COPY_HISTORY``
tells which files loaded or failed; a file the pipe loaded is checked the same way before it
is recorded, and one that fails has its rows deleted and is quarantined. The pipe's session
time zone is the account's, so its COPY stores timestamps as ``TIMESTAMP_NTZ`` (right for one
without an offset, whatever that zone); a file whose offsets that dropped is reloaded by the
check through the loader's COPY, which converts them.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from include.c360.constants import PII_READER_ROLE, SNOWFLAKE_CONN_ID
from include.c360.ingest.base import FileMeta, LoaderBase, LoadResult, new_load_id, utcnow
from include.c360.ingest.config import LOADED, IngestConfig
from include.c360.ingest.errors import FileError, WarehouseError
from include.c360.ingest.sql import render, snowpipe_sources
from include.c360.ingest.validate import (
    check_json_keys,
    check_values,
    checking,
    first_dropped_offset,
    precheck,
)
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
    "snowflake/setup/08_pii_masking.sql",
)

# "... File 'dt=.../x.csv.gz', line 4, character 12 Row 3, column "ORDERS"["QUANTITY":7] ..."
_ERR_ROW = re.compile(r"Row (\d+)", re.I)
_ERR_LINE = re.compile(r"line (\d+)", re.I)
_ERR_COL = re.compile(r'column "?[^"\[]*"?\["?([A-Za-z_][A-Za-z0-9_$]*)"?')
# COPY's whole answer when its load metadata says every named file is loaded already
_NOTHING_COPIED = "copy executed with 0 files processed"


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
            "pii_reader_role": PII_READER_ROLE,
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
    def precheck(self, src: Source, key: str, zone: LandingZone) -> str | None:
        """The file against the registry before its COPY, with DuckDB's checks (``validate``)
        on a local copy read by an in-memory DuckDB (time zone UTC): the CSV header / first
        NDJSON record / Parquet schema, every NDJSON record's keys, and every value's exact
        conversion to its column's type (the DuckDB path's rules, ``check_values``). Whatever
        cannot be read is the file's FileError, never a crash. Returns where the file first
        holds a timestamp whose offset a ``TIMESTAMP_NTZ`` cast drops (Snowpipe's COPY), or
        None."""
        import duckdb

        with checking(src, key), zone.local_copy(key) as path, duckdb.connect() as con:
            con.execute("set TimeZone = 'UTC'")
            precheck(src, key, path, con)  # header / first record / Parquet schema
            if src.file_format == "ndjson_gzip":
                check_json_keys(src, key, path, con)
            check_values(src, key, path, con)
            return first_dropped_offset(src, key, path, con)

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
        if f.size == 0:
            raise FileError(f.key, "empty file (0 bytes)")
        self.precheck(src, f.key, zone)
        return self.copy_file(src, f, replace=replace, truncate=truncate, run_id=run_id)

    def copy_file(self, src: Source, f: FileMeta, *, replace: bool, truncate: bool,
                  run_id: str) -> LoadResult:
        """One transaction, in a session whose time zone is UTC: (truncate | delete the file's
        previous rows) + ``COPY INTO`` of the file + its LOADED history row. For a file that
        passed ``precheck``."""
        from snowflake.connector.errors import Error as SnowflakeError

        started, load_id = utcnow(), new_load_id()
        stage_path = f.key[len(src.name) + 1:]
        conn = self.hook.get_conn()
        cur = conn.cursor()
        try:
            cur.execute(split_statements(self.render("session"))[0])  # UTC, before the BEGIN
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
                if rows is None:  # Snowflake loaded this very file before: its rows are there
                    cur.execute(split_statements(self.render("file_rows", src=src,
                                                             key=f.key))[0])
                    rows = int(cur.fetchone()[0])
                    log.warning("%s: Snowflake's load metadata has %s loaded already (%s rows "
                                "in RAW); recorded as LOADED, nothing copied", src.name, f.key,
                                rows)
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
    def _copied_rows(src: Source, key: str, cur: Any) -> int | None:
        """Rows a ``COPY INTO`` of one file loaded, from its result; None when Snowflake's
        load metadata skipped it as loaded before (its one-column answer "Copy executed with
        0 files processed."); a rejected file raises its FileError."""
        cols = [d[0].lower() for d in cur.description]
        result = cur.fetchall()
        if cols == ["status"] and result and all(
                str(r[0]).lower().startswith(_NOTHING_COPIED) for r in result):
            return None
        rows = 0
        for r in result:
            rec = dict(zip(cols, r, strict=True))
            if rec.get("status") not in (None, "LOADED"):
                raise file_error_from_snowflake(
                    key, str(rec.get("first_error") or rec.get("status")),
                    rec.get("first_error_line"), rec.get("first_error_column_name"))
            rows += int(rec.get("rows_loaded") or 0)
        return rows

    # -- Snowpipe ---------------------------------------------------------------------------
    def pipe_channels(self) -> dict[str, str]:
        """``{source: SQS queue ARN}`` of each AUTO_INGEST pipe (``SHOW PIPES``' column
        ``notification_channel``); a pipe setup did not create is an error."""
        conn = self.hook.get_conn()
        cur = conn.cursor()
        try:
            cur.execute(split_statements(self.render("show_pipes"))[0])
            cols = [d[0].lower() for d in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        finally:
            cur.close()
            conn.close()
        return pipe_channels_from(rows, snowpipe_sources())

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
                      files: dict[str, FileMeta], run_id: str, zone: LandingZone) -> int:
    """Mirror Snowpipe's COPY_HISTORY into the load history (once per file); returns how many.

    Each file the pipe loaded is first checked as a batch load checks it before its COPY
    (``precheck``): the pipe's ``$1:<column>::<type>`` loads a renamed or missing column as
    NULLs and a value that does not convert exactly as best it can. A file that fails has the
    rows the pipe loaded from it deleted and joins ``check.errors`` (then it is quarantined like
    a file the pipe rejected). A file with a timestamp whose offset the pipe's
    ``TIMESTAMP_NTZ`` dropped is reloaded through the loader's COPY (its rows replaced by the
    UTC instants, in one transaction with its LOADED row)."""
    known = wh.loaded_files(src)
    n = 0
    for key in list(check.loaded):
        if key in known or key not in files:
            continue
        try:
            dropped = wh.precheck(src, key, zone)
            if dropped is not None:
                log.warning("%s: Snowpipe dropped the offset of a timestamp of %s (%s); "
                            "reloading it with its timestamps in UTC", src.name, key, dropped)
                wh.copy_file(src, files[key], replace=True, truncate=False, run_id=run_id)
                n += 1
                continue
        except FileError as err:
            wh.hook.run(split_statements(wh.render("delete_file_rows", src=src, key=key))[0],
                        autocommit=True)
            log.error("%s: Snowpipe loaded %s, which fails its check; its rows are deleted",
                      src.name, key)
            check.loaded.remove(key)
            check.errors.append(err)
            continue
        wh.hook.run(split_statements(wh.render("history_insert"))[0], autocommit=True,
                    parameters=wh._history_params(src, files[key], status=LOADED,
                                                  load_id=new_load_id(), run_id=run_id,
                                                  started=utcnow()))
        n += 1
    return n


def pipe_channels_from(show_pipes: list[dict[str, Any]], sources: list[Source]) -> dict[str, str]:
    """The notification channel of each source's ``<source>_pipe`` in ``SHOW PIPES`` rows."""
    by_name = {str(r.get("name", "")).lower(): r for r in show_pipes}
    out, missing = {}, []
    for src in sources:
        channel = (by_name.get(f"{src.name}_pipe") or {}).get("notification_channel")
        if channel:
            out[src.name] = str(channel)
        else:
            missing.append(f"{src.name}_pipe")
    if missing:
        raise LookupError(f"no AUTO_INGEST pipe with a notification channel for {missing} "
                          f"(SHOW PIPES has {sorted(by_name)}): run the setup's pipes step")
    return out
