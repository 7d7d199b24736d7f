"""The warehouse package: the one type map, the one escaper, transactions, the client."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from include.c360.warehouse import DuckDBWarehouse, open_warehouse, sql_literal
from include.c360.warehouse.transactions import transaction
from include.c360.warehouse.types import SPEC_TYPES, SQL_TYPES, sql_type


def test_one_type_map_for_the_spec_and_the_contract():
    # the RAW tables' spec types and the score tables' contract types
    assert [sql_type("duckdb", t) for t in ("int", "float", "varchar", "timestamp")] == [
        "BIGINT", "DOUBLE", "VARCHAR", "TIMESTAMP"]
    assert [sql_type("snowflake", t) for t in ("int", "float", "timestamp", "integer")] == [
        "NUMBER(38,0)", "FLOAT", "TIMESTAMP_NTZ", "NUMBER(38,0)"]
    assert sql_type("duckdb", "integer") == "INTEGER"  # the contract's cluster_id
    assert set(SPEC_TYPES.values()) <= set(SQL_TYPES["duckdb"]) == set(SQL_TYPES["snowflake"])
    with pytest.raises(KeyError, match="no duckdb SQL type for the logical type 'money'"):
        sql_type("duckdb", "money")


def test_literals_escape_quotes_and_spell_dates():
    assert sql_literal("O'Brien") == "'O''Brien'"
    assert sql_literal(None) == "null" and sql_literal(True) == "true"
    assert sql_literal(date(2026, 11, 24)) == "cast('2026-11-24' as date)"
    assert sql_literal(datetime(2026, 11, 24, 2, 5)) == \
        "cast('2026-11-24 02:05:00' as timestamp)"
    assert sql_literal(3) == "3" and sql_literal(0.5) == "0.5"
    with pytest.raises(TypeError):
        sql_literal(object())


def test_a_failed_transaction_leaves_nothing_and_raises_its_own_error(tmp_path, caplog):
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    try:
        wh.execute("create table t (x integer)")
        with pytest.raises(ValueError, match="boom"), transaction(wh.con.execute):
            wh.execute("insert into t values (1)")
            raise ValueError("boom")
        assert wh.scalar("select count(*) from t") == 0
        with transaction(wh.con.execute):
            wh.execute("insert into t values (2)")
        assert wh.scalar("select sum(x) from t") == 2

        def gone(sql: str) -> None:  # a connection lost after the begin
            if sql != "begin":
                raise ConnectionError(f"cannot {sql}")

        caplog.set_level(logging.WARNING, logger="include.c360.warehouse")
        with pytest.raises(ConnectionError, match="cannot commit"), transaction(gone):
            pass
        assert "rollback after a failed transaction did not run: cannot rollback" in caplog.text
    finally:
        wh.close()


def test_open_warehouse_reads_the_configured_file_read_only(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    with DuckDBWarehouse(db).con as con:
        con.execute("create table t as select 41 + 1 as x")
    monkeypatch.setenv("C360_TARGET", "duckdb")
    monkeypatch.setenv("C360_DUCKDB_PATH", str(db))
    with open_warehouse(read_only=True) as wh:
        assert wh.scalar("select x from t") == 42
        assert wh.scalar("select x from t where false") is None
        with pytest.raises(Exception, match="(?i)read-only"):
            wh.execute("insert into t values (1)")
    with pytest.raises(ValueError, match="unknown warehouse target 'oracle'"):
        with open_warehouse("oracle"):
            pass
