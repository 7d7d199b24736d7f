"""The embedded default warehouse: a DuckDB file, loaded with DuckDB's own readers.

Each file is one transaction: (delete its previous rows | truncate) + insert + its
load-history row, so a failure never leaves part of a file in RAW and a file is recorded as
loaded exactly when its rows are there. The connection is opened inside the task only
(:class:`DuckDBWarehouse` is a context manager); every task using it runs in the
``duckdb_warehouse`` pool because DuckDB allows one writing process.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from include.c360.ingest.base import FileMeta, LoadedFile, LoadResult, new_load_id, utcnow
from include.c360.ingest.config import LOADED, IngestConfig
from include.c360.ingest.sql import quote_literal, render, split_statements
from include.c360.ingest.validate import FileError, diagnose, diagnose_unreadable, precheck
from include.c360.landing import LandingZone
from include.c360.sources import Source

log = logging.getLogger(__name__)


class DuckDBWarehouse:
    dialect = "duckdb"

    def __init__(self, path: str | Path, config: IngestConfig):
        self.path = Path(path)
        self.config = config
        self._con: Any = None

    # -- connection -------------------------------------------------------------------------
    @property
    def con(self) -> Any:
        if self._con is None:
            import duckdb

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = duckdb.connect(str(self.path))
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> DuckDBWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
    def loaded_files(self, src: Source) -> dict[str, LoadedFile]:
        rows = self.con.execute(self._render("loaded_files"), {"source": src.name}).fetchall()
        return {r[0]: LoadedFile(r[0], r[1], r[2], r[3]) for r in rows}

    def _history(self, src: Source, f: FileMeta, *, status: str, load_id: str, run_id: str,
                 started: Any, row_count: int | None = None, replaced_rows: int | None = None,
                 err: FileError | None = None, quarantine_key: str | None = None) -> None:
        self.con.execute(self._render("history_insert"), {
            "load_id": load_id, "source": src.name, "file_key": f.key, "file_etag": f.etag,
            "file_md5": f.md5, "file_size": f.size,
            "file_last_modified": f.last_modified.replace(tzinfo=None), "status": status,
            "row_count": row_count, "replaced_rows": replaced_rows,
            "error_row": err.row if err else None, "error_column": err.column if err else None,
            "error_message": str(err) if err else None, "quarantine_key": quarantine_key,
            "run_id": run_id, "started_at": started, "finished_at": utcnow(),
        })

    def record_failure(self, src: Source, f: FileMeta, err: FileError, *, status: str,
                       quarantine_key: str | None, run_id: str) -> None:
        self.con.execute("begin")
        try:
            self._history(src, f, status=status, load_id=new_load_id(), run_id=run_id,
                          started=utcnow(), err=err, quarantine_key=quarantine_key)
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise

    # -- loading ----------------------------------------------------------------------------
    def load_file(self, src: Source, f: FileMeta, zone: LandingZone, *, replace: bool,
                  truncate: bool, run_id: str) -> LoadResult:
        import duckdb

        started = utcnow()
        load_id = new_load_id()
        with zone.local_copy(f.key) as path:
            path = Path(path)
            precheck(src, f.key, path, self.con)
            table = f"{self.config.raw_schema}.{src.name}"
            self.con.execute("begin")
            try:
                replaced = 0
                if truncate:
                    replaced = self.con.execute(f"select count(*) from {table}").fetchone()[0]
                    self.con.execute(self._render("truncate", src=src))
                elif replace:
                    replaced = self.con.execute(
                        self._render("delete_file_rows", src=src), {"source_file": f.key}
                    ).fetchone()[0]
                rows = self.con.execute(
                    self._render("insert_file", src=src, path=quote_literal(str(path))),
                    {"loaded_at": started, "source_file": f.key},
                ).fetchone()[0]
                self._history(src, f, status=LOADED, load_id=load_id, run_id=run_id,
                              started=started, row_count=rows, replaced_rows=replaced)
                self.con.execute("commit")
            except duckdb.Error as e:
                self.con.execute("rollback")
                raise self._explain(src, f.key, path, e) from None
            except BaseException:
                self.con.execute("rollback")
                raise
        log.info("loaded %s rows from %s into %s%s", rows, f.key, table,
                 f" (replacing {replaced} rows)" if replaced else "")
        return LoadResult(f.key, rows, replaced, load_id)

    def _explain(self, src: Source, key: str, path: Path, e: Exception) -> FileError:
        """Name the row and column a DuckDB reader error is about."""
        try:
            found = diagnose(src, key, path, self.con)
        except Exception:  # noqa: BLE001 - unreadable even as text: describe the reader error
            found = None
        return found or diagnose_unreadable(src, key, path, e)

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


def file_meta_dict(f: FileMeta) -> dict[str, Any]:
    return asdict(f)
