"""What a transform run must leave in the warehouse: shared by the ``dag.test`` runs (local
mode) and the runs under the real scheduler (watcher mode)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from include.c360.ml.contract import score_tables

SCORE_TABLES = tuple(score_tables())  # the score tables' contract (dbt's ml source)


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def assert_published(db: Path, as_of: str) -> None:
    """Every layer built, every customer scored as of ``as_of`` and published."""
    customers = query(db, "select count(*) from staging.stg_customers")[0][0]
    assert customers > 500
    # one row per customer, every ML column filled by this run's scores; churn for the active
    # accounts (the retention population), and for them only
    assert query(db, """
        select count(*), count(distinct customer_id), count(predicted_ltv),
               count(customer_segment), count(composite_score)
        from marts.fct_customer_value""")[0] == (customers,) * 5
    active, scored, scored_active = query(db, """
        select count(*) filter (where is_active), count(churn_probability),
               count(churn_probability) filter (where is_active)
        from marts.fct_customer_value""")[0]
    assert 0 < active < customers and scored == scored_active == active
    assert query(db, "select count(*) from marts.dim_customers")[0][0] == customers
    # the fact holds every deduplicated staging transaction exactly once
    assert query(db, "select count(*), count(distinct transaction_id) "
                     "from marts.fct_transactions") == \
        query(db, "select count(*), count(distinct transaction_id) "
                  "from staging.stg_transactions")
    # as_of_date (Param, not the logical date) reached ML scoring
    # (fraud risk scores the customers with transactions: feat_fraud_behavior's rows)
    fraud_rows = query(db, "select count(*) from features.feat_fraud_behavior")[0][0]
    rows = {table: customers for table in SCORE_TABLES} | {"customer_risk_scores": fraud_rows,
                                                            "customer_churn_scores": active}
    for table in SCORE_TABLES:
        assert query(db, f"select count(*), min(scored_at)::date::varchar, "
                         f"max(scored_at)::date::varchar from ml.{table}")[0] == (
            rows[table], as_of, as_of), table
    assert query(db, "select count(distinct customer_id) from "
                     "snapshots.snap_customer_profile")[0][0] == customers
    assert query(db, "select count(*) from features.feat_customer_segmentation")[0][0] == \
        customers


BAD_CUSTOMER = "CUST-BAD-0001"


def break_customers(db_path: Path) -> None:
    """One CRM row with an unknown ``kyc_status``: stg_customers' accepted_values test fails."""
    import duckdb

    con = duckdb.connect(str(db_path))
    try:
        cols = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' "
            "and table_name = 'customers' order by ordinal_position").fetchall()]
        row = dict(zip(cols, con.execute("select * from raw.customers limit 1").fetchone(),
                       strict=True))
        row.update(customer_id=BAD_CUSTOMER, kyc_status="not-a-status",
                   _source_file="customers/dt=2026-11-24/injected.csv.gz")
        con.execute(f"insert into raw.customers ({', '.join(cols)}) values "
                    f"({', '.join('?' * len(cols))})", [row[c] for c in cols])
    finally:
        con.close()


def fix_customers(db_path: Path) -> None:
    """Undo ``break_customers``."""
    import duckdb

    with duckdb.connect(str(db_path)) as con:
        con.execute("delete from raw.customers where customer_id = ?", [BAD_CUSTOMER])
