"""The embedded default warehouse: a DuckDB file, loaded with DuckDB's own readers.

Each file is one transaction: (delete its previous rows | truncate) + insert + its
load-history row, so a failure never leaves part of a file in RAW and a file is recorded as
loaded exactly when its rows are there. The connection is opened inside the task only
(:class:`DuckDBLoader` is a context manager; the file and the transactions are the warehouse
package's); every task using it runs in the ``duckdb_warehouse`` pool because DuckDB allows
one writing process.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from datetime import UTC
from functools import cache
from pathlib import Path
from typing import Any

from include.c360.ingest.base import FileMeta, LoaderBase, LoadResult, new_load_id, utcnow
from include.c360.ingest.config import LOADED, IngestConfig
from include.c360.ingest.errors import FileError, WarehouseError, first_line, is_warehouse_error
from include.c360.ingest.sql import render
from include.c360.ingest.validate import (
    check_gzip_stream,
    check_json_keys,
    diagnose,
    diagnose_unreadable,
    precheck,
)
from include.c360.landing import LandingZone
from include.c360.sources import Source
from include.c360.warehouse.connections import duckdb_connection
from include.c360.warehouse.sql import split_statements
from include.c360.warehouse.transactions import transaction

log = logging.getLogger(__name__)

BATCH_FILES = 100  # whole files per transaction on the fast path


class DuckDBLoader(LoaderBase):
    dialect = "duckdb"

    def __init__(self, path: str | Path, config: IngestConfig):
        self.path = Path(path)
        self.config = config

    # -- connection -------------------------------------------------------------------------
    def _connect(self) -> Any:
        return duckdb_connection(self.path)

    def _disconnect(self, client: Any) -> None:
        client.close()

    @property
    def con(self) -> Any:
        return self.client

    def _records(self, query: str, params: dict[str, Any]) -> list[tuple]:
        return self.con.execute(self._render(query), params).fetchall()

    @property
    def _params(self) -> dict[str, str]:
        return {"raw_schema": self.config.raw_schema, "meta_schema": self.config.meta_schema}

    def _render(self, name: str, **ctx: Any) -> str:
        return render(f"duckdb/{name}.sql", params=self._params, **ctx)

    # -- setup ------------------------------------------------------------------------------
    def setup(self) -> None:
        for stmt in split_statements(self._render("setup")):
            self.con.execute(stmt)
        log.info("DuckDB warehouse %s: schemas, RAW tables and load history in place", self.path)

    def ensure_ready(self) -> None:
        """The embedded default needs no manual step: create what is missing (idempotent)."""
        self.setup()

    # -- load metadata ----------------------------------------------------------------------
    def _history_row(self, src: Source, f: FileMeta, *, status: str, load_id: str,
                     run_id: str, started: Any, row_count: int | None = None,
                     replaced_rows: int | None = None, err: FileError | None = None,
                     quarantine_key: str | None = None) -> tuple:
        return (
            load_id, src.name, f.key, f.etag, f.md5, f.size,
            f.last_modified.astimezone(UTC).replace(tzinfo=None), status, row_count,
            replaced_rows, err.row if err else None, err.column if err else None,
            str(err) if err else None, quarantine_key, run_id, started, utcnow(),
        )

    def _insert_history(self, rows: list[tuple]) -> None:
        """Append load-history rows (one statement per call, inside the caller's transaction)."""
        if not rows:
            return
        n = len(rows[0])
        placeholders = ", ".join("(" + ", ".join("?" * n) + ")" for _ in rows)
        self.con.execute(f"insert into {self.config.history_table} values {placeholders}",
                         [v for r in rows for v in r])

    def record_failure(self, src: Source, f: FileMeta, err: FileError, *, status: str,
                       quarantine_key: str | None, run_id: str) -> None:
        self._append_history(self._history_row(
            src, f, status=status, load_id=new_load_id(), run_id=run_id, started=utcnow(),
            err=err, quarantine_key=quarantine_key))

    def _append_history(self, row: tuple) -> None:
        with transaction(self.con.execute):
            self._insert_history([row])

    # -- loading ----------------------------------------------------------------------------
    def _sql(self, name: str, src: Source) -> str:
        """A per-source statement, rendered once; file paths are parameters."""
        return _render_cached(name, src, self.config.raw_schema, self.config.meta_schema)

    def load_file(self, src: Source, f: FileMeta, zone: LandingZone, *, replace: bool,
                  truncate: bool, run_id: str) -> LoadResult:
        out = self.load_files(src, [(f, replace)], zone, truncate=truncate, run_id=run_id)[0]
        if isinstance(out, FileError):
            raise out
        return out

    def load_files(self, src: Source, items: list[tuple[FileMeta, bool]], zone: LandingZone, *,
                   truncate: bool, run_id: str) -> list[LoadResult | FileError]:
        """Load files, each all-or-nothing, in transactions of up to ``BATCH_FILES`` whole files.

        A transaction only ever holds whole files plus their load-history rows; if any file of
        a batch fails, the batch is rolled back and its files are loaded one per transaction,
        so the bad file is isolated and the good ones still load.
        """
        import duckdb

        results: dict[str, LoadResult | FileError] = {}
        for i in range(0, len(items), BATCH_FILES):
            batch = items[i:i + BATCH_FILES]
            with ExitStack() as stack:
                ready = []
                for f, replace in batch:
                    path = Path(stack.enter_context(zone.local_copy(f.key)))
                    try:
                        precheck(src, f.key, path, self.con)
                    except FileError as err:
                        results[f.key] = err
                        continue
                    ready.append((f, replace, path))
                if not ready:
                    continue
                try:
                    results.update(self._load_batch(src, ready, truncate=truncate, run_id=run_id))
                except duckdb.Error as e:
                    if is_warehouse_error(e):  # no file's fault: do not retry them one by one
                        raise WarehouseError(src.name, ready[0][0].key, e) from e
                    if len(ready) == 1:
                        results[ready[0][0].key] = self._explain(src, *ready[0][::2], e)
                        continue
                    log.info("%s: a file of a %s-file batch failed (%s); loading them one by "
                             "one", src.name, len(ready), first_line(e))
                    for one in ready:
                        try:
                            results.update(self._load_batch(src, [one], truncate=truncate,
                                                            run_id=run_id))
                        except duckdb.Error as e1:
                            results[one[0].key] = self._explain(src, *one[::2], e1)
        return [results[f.key] for f, _ in items]

    def _load_batch(self, src: Source, ready: list[tuple[FileMeta, bool, Path]], *,
                    truncate: bool, run_id: str) -> dict[str, LoadResult]:
        """One transaction: (truncate | delete changed files' rows) + one INSERT reading all
        the batch's files + their history rows. Any error rolls all of it back (and is raised
        as it is: ``load_files`` decides whether the file or the warehouse is at fault)."""
        table = f"{self.config.raw_schema}.{src.name}"
        started = utcnow()
        keys = [f.key for f, _, _ in ready]
        replaced: dict[str, int] = {}
        with transaction(self.con.execute):
            for f, replace, _ in ready:
                if truncate:
                    replaced[f.key] = self.con.execute(
                        f"select count(*) from {table}").fetchone()[0]
                    self.con.execute(self._render("truncate", src=src))
                elif replace:
                    replaced[f.key] = self.con.execute(
                        self._render("delete_file_rows", src=src), {"source_file": f.key}
                    ).fetchone()[0]
            self.con.execute(self._sql("insert_files", src), {
                "paths": [str(p) for _, _, p in ready], "keys": keys, "loaded_at": started})
            counts = dict(self.con.execute(
                f"select _source_file, count(*) from {table} "
                "where _loaded_at = $loaded_at and _source_file in (select unnest($keys)) "
                "group by 1", {"loaded_at": started, "keys": keys}).fetchall())
            out: dict[str, LoadResult] = {}
            history = []
            for f, _, _ in ready:
                load_id = new_load_id()
                rows = counts.get(f.key, 0)
                history.append(self._history_row(
                    src, f, status=LOADED, load_id=load_id, run_id=run_id, started=started,
                    row_count=rows, replaced_rows=replaced.get(f.key, 0)))
                out[f.key] = LoadResult(f.key, rows, replaced.get(f.key, 0), load_id)
            self._insert_history(history)
        for r in out.values():
            log.info("loaded %s rows from %s into %s%s", r.rows, r.key, table,
                     f" (replacing {r.replaced_rows} rows)" if r.replaced_rows else "")
        return out

    def _explain(self, src: Source, f: FileMeta, path: Path, e: Exception) -> FileError:
        """The file's defect behind a failed load, named by row and column; or WarehouseError.

        The file is read again on its own, as text (no RAW table involved): a record with other
        keys, a value that does not convert to its column's type, or a file that does not even
        read as text is the file's fault. A file that reads cleanly and converts throughout is
        not: the load failed in the warehouse (an altered RAW table, a read-only database...).
        """
        import duckdb

        key = f.key
        if is_warehouse_error(e):
            raise WarehouseError(src.name, key, e) from e
        try:
            if src.file_format == "ndjson_gzip":
                check_json_keys(src, key, path, self.con)  # raises naming row and key
            found = diagnose(src, key, path, self.con)
        except FileError as err:
            return err
        except duckdb.Error as unreadable:
            if is_warehouse_error(unreadable):
                raise WarehouseError(src.name, key, unreadable) from e
            return diagnose_unreadable(src, key, path, unreadable)
        if found is not None:
            return found
        try:
            check_gzip_stream(src, key, path)  # the text reader may stop early on a cut stream
        except FileError as err:
            return err
        raise WarehouseError(src.name, key, e) from e

    # -- inspection (tests, benchmarks, reports) ---------------------------------------------
    def history(self, src: Source | None = None) -> list[dict[str, Any]]:
        sql = f"select * from {self.config.history_table}"
        args: list[Any] = []
        if src is not None:
            sql += " where source = ?"
            args.append(src.name)
        cur = self.con.execute(sql + " order by finished_at, file_key", args)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@cache
def _render_cached(name: str, src: Source, raw_schema: str, meta_schema: str) -> str:
    return render(f"duckdb/{name}.sql", src=src,
                  params={"raw_schema": raw_schema, "meta_schema": meta_schema})
