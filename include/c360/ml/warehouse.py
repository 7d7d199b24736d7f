"""Reading features from and writing scores to the warehouse of the active target.

One small interface, two implementations:

* ``DuckDBWarehouse``    the duckdb package on ``settings().duckdb_path`` (or a given connection);
* ``SnowflakeWarehouse`` the Airflow ``SnowflakeHook`` connection; bulk writes go through
  ``write_pandas`` (a staged COPY) into a load table, then one transaction moves them.

Writes are always bulk and atomic: ``replace_rows`` deletes the rows of one run (a key such as
``scored_at`` or ``model_version``) and inserts the new frame inside one transaction, so a re-run
replaces its rows and never duplicates them, and a failure leaves the previous rows in place.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from include.c360.config import settings
from include.c360.constants import SNOWFLAKE_CONN_ID

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

# logical column types of the contract -> per-dialect DDL types
_DDL_TYPES: dict[str, dict[str, str]] = {
    "duckdb": {
        "varchar": "varchar", "integer": "integer", "bigint": "bigint", "double": "double",
        "boolean": "boolean", "timestamp": "timestamp", "date": "date",
    },
    "snowflake": {
        "varchar": "varchar", "integer": "integer", "bigint": "bigint", "double": "double",
        "boolean": "boolean", "timestamp": "timestamp_ntz", "date": "date",
    },
}

Columns = Sequence[tuple[str, str]]


def sql_literal(value: Any) -> str:
    """A SQL literal for the few value types the ML layer puts into statements."""
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


class Warehouse:
    """Common behaviour; subclasses implement the four primitives."""

    dialect: str = ""

    def query_df(self, sql: str) -> pd.DataFrame:  # pragma: no cover - abstract
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
        types = _DDL_TYPES[self.dialect]
        ddl = ", ".join(f"{name} {types[kind]}" for name, kind in columns)
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

    @staticmethod
    def in_transaction(run: Any, statements: Sequence[str], begin: str) -> None:
        """``run`` each statement between ``begin`` and ``commit``; roll back on an error."""
        run(begin)
        try:
            for statement in statements:
                run(statement)
            run("commit")
        except Exception:
            run("rollback")
            raise

    def read_table(self, schema: str, table: str, order_by: str = "customer_id") -> pd.DataFrame:
        if not self.table_exists(schema, table):
            raise LookupError(
                f"{schema}.{table} does not exist in the {self.dialect} warehouse: build the dbt "
                "feature models before ML scoring"
            )
        return self.query_df(f"select * from {schema}.{table} order by {order_by}")


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"

    def __init__(self, path: Path | str | None = None, connection: Any = None) -> None:
        import duckdb

        if connection is not None:
            self.con = connection
            self._owned = False
        else:
            target = Path(path) if path is not None else settings().duckdb_path
            target.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(target))
            self._owned = True

    def query_df(self, sql: str) -> pd.DataFrame:
        frame = self.con.execute(sql).df()
        frame.columns = [str(c).lower() for c in frame.columns]
        return frame

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
            self.in_transaction(self.con.execute, self.replace_statements(
                schema, table, frame.columns, delete_where, view), "begin transaction")
        finally:
            self.con.unregister(view)
        log.info("replaced %s rows in %s.%s where %s", len(frame), schema, table, delete_where)

    def close(self) -> None:
        if self._owned:
            self.con.close()


class SnowflakeWarehouse(Warehouse):
    dialect = "snowflake"

    def __init__(self, conn_id: str = SNOWFLAKE_CONN_ID, connection: Any = None) -> None:
        if connection is None:
            from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

            connection = SnowflakeHook(snowflake_conn_id=conn_id).get_conn()
        self.con = connection

    def query_df(self, sql: str) -> pd.DataFrame:
        cur = self.con.cursor()
        try:
            cur.execute(sql)
            frame = cur.fetch_pandas_all()
        finally:
            cur.close()
        frame.columns = [str(c).lower() for c in frame.columns]
        return frame

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
            self.in_transaction(cur.execute, self.replace_statements(
                schema, table, frame.columns, delete_where, f"{schema}.{load_table}"), "begin")
            cur.execute(f"drop table if exists {schema}.{load_table}")
        finally:
            cur.close()
        log.info("replaced %s rows in %s.%s where %s", len(frame), schema, table, delete_where)

    def close(self) -> None:
        self.con.close()


@contextmanager
def open_warehouse(target: str | None = None) -> Generator[Warehouse, None, None]:
    """The warehouse of the active target (``C360_TARGET``), closed on exit."""
    chosen = target or settings().target
    wh: Warehouse = DuckDBWarehouse() if chosen == "duckdb" else SnowflakeWarehouse()
    try:
        yield wh
    finally:
        wh.close()
