"""DataFrames in and out of the warehouse of the active target, in bulk and atomically.

One small interface, two implementations (``open_warehouse()`` picks the configured one):

* ``DuckDBWarehouse``    the DuckDB file (``settings().duckdb_path``, or a given connection);
* ``SnowflakeWarehouse`` the provider's ``SnowflakeHook`` connection; bulk writes go through
  ``write_pandas`` (a staged COPY) into a load table, then one transaction moves them.

``query_df`` / ``scalar`` read, ``execute`` runs a statement, ``ensure_table`` creates a table
from its contract's columns and logical types (``types.py``), and ``replace_rows`` deletes the
rows of one run (a key such as ``scored_at`` or ``model_version``) and inserts the new frame in
one transaction: a re-run replaces its rows and never duplicates them, and a failure leaves
the previous rows in place. Used by ML scoring, the freshness checks and the alert digests.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from include.c360.constants import SNOWFLAKE_CONN_ID
from include.c360.warehouse.connections import dialect, duckdb_connection, snowflake_hook
from include.c360.warehouse.sql import sql_literal
from include.c360.warehouse.transactions import transaction
from include.c360.warehouse.types import sql_type

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

Columns = Sequence[tuple[str, str]]


class Warehouse:
    """Common behaviour; subclasses implement the primitives."""

    dialect: str = ""

    def query_df(self, sql: str) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def scalar(self, sql: str) -> Any:  # pragma: no cover - abstract
        """The first column of the first row (None when there is no row)."""
        raise NotImplementedError

    def execute(self, sql: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def table_exists(self, schema: str, table: str) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def replace_rows(
        self, schema: str, table: str, frame: pd.DataFrame, delete_where: Mapping[str, Any]
    ) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def ensure_table(self, schema: str, table: str, columns: Columns) -> None:
        """Create the schema and the table if missing (the contract's columns and types)."""
        ddl = ", ".join(f"{name} {sql_type(self.dialect, kind)}" for name, kind in columns)
        self.execute(f"create schema if not exists {schema}")
        self.execute(f"create table if not exists {schema}.{table} ({ddl})")

    @staticmethod
    def replace_statements(schema: str, table: str, columns: Sequence[str],
                           delete_where: Mapping[str, Any], rows_from: str) -> list[str]:
        """One transaction: delete the run's rows, insert the new ones from ``rows_from``."""
        cols = ", ".join(columns)
        where = " and ".join(f"{k} = {sql_literal(v)}" for k, v in delete_where.items()) or "true"
        return [f"delete from {schema}.{table} where {where}",
                f"insert into {schema}.{table} ({cols}) select {cols} from {rows_from}"]

    def read_table(self, schema: str, table: str, order_by: str = "customer_id") -> pd.DataFrame:
        if not self.table_exists(schema, table):
            raise LookupError(
                f"{schema}.{table} does not exist in the {self.dialect} warehouse: build the dbt "
                "feature models before ML scoring"
            )
        return self.query_df(f"select * from {schema}.{table} order by {order_by}")


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"

    def __init__(self, path: Path | str | None = None, connection: Any = None,
                 read_only: bool = False) -> None:
        self._owned = connection is None
        self.con = connection if connection is not None else duckdb_connection(path, read_only)

    def query_df(self, sql: str) -> pd.DataFrame:
        frame = self.con.execute(sql).df()
        frame.columns = [str(c).lower() for c in frame.columns]
        return frame

    def scalar(self, sql: str) -> Any:
        row = self.con.execute(sql).fetchone()
        return row[0] if row else None

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def table_exists(self, schema: str, table: str) -> bool:
        row = self.con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()
        return bool(row and row[0])

    def replace_rows(
        self, schema: str, table: str, frame: pd.DataFrame, delete_where: Mapping[str, Any]
    ) -> None:
        view = f"_ml_frame_{table}"
        self.con.register(view, frame)
        try:
            with transaction(self.con.execute):
                for statement in self.replace_statements(schema, table, frame.columns,
                                                         delete_where, view):
                    self.con.execute(statement)
        finally:
            self.con.unregister(view)
        log.info("replaced %s rows in %s.%s where %s", len(frame), schema, table, delete_where)

    def close(self) -> None:
        if self._owned:
            self.con.close()


class SnowflakeWarehouse(Warehouse):
    dialect = "snowflake"

    def __init__(self, conn_id: str = SNOWFLAKE_CONN_ID, connection: Any = None) -> None:
        self.con = connection if connection is not None else snowflake_hook(conn_id).get_conn()

    def query_df(self, sql: str) -> pd.DataFrame:
        cur = self.con.cursor()
        try:
            cur.execute(sql)
            frame = cur.fetch_pandas_all()
        finally:
            cur.close()
        frame.columns = [str(c).lower() for c in frame.columns]
        return frame

    def scalar(self, sql: str) -> Any:
        cur = self.con.cursor()
        try:
            row = cur.execute(sql).fetchone()
        finally:
            cur.close()
        return row[0] if row else None

    def execute(self, sql: str) -> None:
        cur = self.con.cursor()
        try:
            cur.execute(sql)
        finally:
            cur.close()

    def table_exists(self, schema: str, table: str) -> bool:
        frame = self.query_df(
            "select count(*) as n from information_schema.tables "
            f"where table_schema = {sql_literal(schema.upper())} "
            f"and table_name = {sql_literal(table.upper())}"
        )
        return bool(int(frame.iloc[0, 0]))

    def replace_rows(
        self, schema: str, table: str, frame: pd.DataFrame, delete_where: Mapping[str, Any]
    ) -> None:
        from snowflake.connector.pandas_tools import write_pandas

        load_table = f"_ml_load_{table}"
        # the staged bulk load (PUT + COPY) runs outside the transaction, into a load table;
        # the visible change is one delete + insert ... select in one transaction
        upper = frame.copy()
        upper.columns = [c.upper() for c in upper.columns]
        write_pandas(
            self.con, upper, table_name=load_table.upper(), schema=schema.upper(),
            auto_create_table=True, overwrite=True, quote_identifiers=False,
            use_logical_type=True,
        )
        cur = self.con.cursor()
        try:
            with transaction(cur.execute):
                for statement in self.replace_statements(schema, table, frame.columns,
                                                         delete_where, f"{schema}.{load_table}"):
                    cur.execute(statement)
            cur.execute(f"drop table if exists {schema}.{load_table}")
        finally:
            cur.close()
        log.info("replaced %s rows in %s.%s where %s", len(frame), schema, table, delete_where)

    def close(self) -> None:
        self.con.close()


@contextmanager
def open_warehouse(target: str | None = None, read_only: bool = False
                   ) -> Generator[Warehouse, None, None]:
    """The warehouse of the active target (``C360_TARGET``), closed on exit. ``read_only``
    opens the DuckDB file without taking its write lock (Snowflake: the role decides)."""
    wh: Warehouse = (DuckDBWarehouse(read_only=read_only) if dialect(target) == "duckdb"
                     else SnowflakeWarehouse())
    try:
        yield wh
    finally:
        wh.close()
