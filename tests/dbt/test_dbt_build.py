"""Acceptance of the dbt project on DuckDB over small dirty RAW data, across two days."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from include.c360.catalog import load_catalog
from include.c360.ml.contract import score_tables
from include.c360.warehouse.types import sql_type
from tests.dbt.conftest import DAY2_AS_OF, TwoDayBuild, beyond_spec_columns
from tests.dbt.incremental_check import assert_incremental_equals_full_refresh
from tests.dbt.raw_fixture import CHANGED_ON_DAY2
from tests.dbt.results import is_listed_exposure

SCHEMA_OF_LAYER = {"staging": "staging", "mart": "marts"}
FEATURE_MODELS = ("feat_customer_segmentation", "feat_fraud_behavior", "feat_customer_history")


def _statuses(results: dict) -> Counter:
    return Counter(r["status"] for r in results["results"])


@pytest.mark.parametrize("day", [1, 2])
def test_every_node_of_the_build_passes(two_day_build: TwoDayBuild, day: int) -> None:
    results = two_day_build.day1_results if day == 1 else two_day_build.day2_results
    bad = [
        (r["unique_id"], r["status"], r.get("message"))
        for r in results["results"]
        if r["status"] not in ("success", "pass")
        and not is_listed_exposure(r["unique_id"], r["status"])
    ]
    assert not bad, bad
    ids = {r["unique_id"] for r in results["results"]}
    catalog = load_catalog()
    built = {i.split(".")[-1] for i in ids if i.startswith("model.")}
    # every materialised spec model, the feature models, the snapshot and the unit tests ran
    assert {m.name for m in catalog.values() if m.layer != "intermediate"} <= built
    assert set(FEATURE_MODELS) <= built
    assert "snapshot.customer360.snap_customer_profile" in ids
    unit_tests = {i for i in ids if i.startswith("unit_test.")}
    assert unit_tests == set(two_day_build.env.manifest()["unit_tests"])
    assert len(unit_tests) >= 10
    assert sum(1 for i in ids if i.startswith("test.")) >= 150


def test_materialized_models_have_exactly_the_spec_columns_and_types(
    two_day_build: TwoDayBuild,
) -> None:
    env = two_day_build.env
    for model in load_catalog().values():
        if model.layer == "intermediate":
            continue
        schema = SCHEMA_OF_LAYER[model.layer]
        rows = env.query(
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{model.name}' "
            "order by ordinal_position"
        )
        assert rows == _spec_columns_and_beyond(model), model.name


def _spec_columns_and_beyond(model) -> list[tuple[str, str]]:
    """The DuckDB columns a spec model must have: the spec's, then its documented additions."""
    return [(c.name, sql_type("duckdb", c.type)) for c in model.columns] + [
        (name, kind.upper()) for name, kind in beyond_spec_columns(model.name)]


def test_intermediate_models_have_exactly_the_spec_columns_and_types(
    two_day_build: TwoDayBuild,
) -> None:
    """Ephemeral models have no relation: describe their compiled SQL against the warehouse."""
    env = two_day_build.env
    compiled = {
        p.stem: p
        for p in (env.target_path / "compiled" / "customer360" / "models" / "intermediate").rglob(
            "int_*.sql"
        )
        if not any(part.endswith(".yml") for part in p.parts)
    }  # not unit-test fixtures
    for model in load_catalog().values():
        if model.layer != "intermediate":
            continue
        sql = compiled[model.name].read_text()
        rows = [(r[0], r[1]) for r in env.query(f"describe ({sql})")]
        assert rows == _spec_columns_and_beyond(model), model.name


def test_layers_land_in_their_schemas_with_their_materialisations(
    two_day_build: TwoDayBuild,
) -> None:
    rows = two_day_build.env.query(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_schema in ('reference', 'staging', 'marts', 'features', 'snapshots', 'ml')"
    )
    by_schema: dict[str, dict[str, str]] = {}
    for schema, name, kind in rows:
        by_schema.setdefault(schema, {})[name] = kind
    catalog = load_catalog()
    # the spec's staging views and the point-in-time versions of customers, orders, payments
    assert by_schema["staging"] == {
        m.name: "VIEW" for m in catalog.values() if m.layer == "staging"
    } | {f"stg_{name}_versions": "VIEW" for name in ("customer", "order", "transaction")}
    assert by_schema["reference"] == {"fx_rates": "BASE TABLE", "country_currencies": "BASE TABLE"}
    # the catalog's marts, and the support tickets the semantic layer reads
    assert by_schema["marts"] == {
        m.name: "BASE TABLE" for m in catalog.values() if m.layer == "mart"
    } | {"fct_support_tickets": "BASE TABLE"}
    assert by_schema["features"] == {m: "BASE TABLE" for m in FEATURE_MODELS}
    assert by_schema["snapshots"] == {"snap_customer_profile": "BASE TABLE",
                                      "snap_customer_segments": "BASE TABLE"}
    # the score tables dbt's on-run-start created: the contract's (its `ml` source) columns
    contract = score_tables()
    assert set(by_schema["ml"]) == set(contract)
    for table, columns in contract.items():
        described = two_day_build.env.query(
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = 'ml' and table_name = '{table}' order by ordinal_position")
        assert described == [(c, t.upper()) for c, t in columns], table
    # intermediate models are ephemeral: no relation anywhere
    assert not [r for r in rows if r[1].startswith("int_")]


def test_staging_deduplicates_and_standardises_dirty_raw(two_day_build: TwoDayBuild) -> None:
    env = two_day_build.env
    for table, key, stg in (
        ("transactions", "transaction_id", "stg_transactions"),
        ("customers", "customer_id", "stg_customers"),
        ("orders", "order_id", "stg_orders"),
        ("events", "event_id", "stg_events"),
    ):
        ((raw_rows, raw_keys),) = env.query(
            f"select count(*), count(distinct {key}) from raw.{table}"
        )
        ((stg_rows, stg_keys),) = env.query(
            f"select count(*), count(distinct {key}) from staging.{stg}"
        )
        assert raw_rows > raw_keys, f"fixture has no re-exported {table}"
        assert stg_rows == stg_keys == raw_keys, table
    assert env.query(
        "select count(*) from staging.stg_orders where channel not in "
        "('web', 'mobile', 'in-store', 'partner')"
    ) == [(0,)]
    assert env.query(
        "select count(*) from staging.stg_customers where country <> upper(trim(country)) "
        "or email <> lower(trim(email)) or first_name <> lower(trim(first_name))"
    ) == [(0,)]
    assert env.query(
        "select count(*) from staging.stg_transactions where currency <> upper(trim(currency))"
    ) == [(0,)]


def test_incremental_fct_transactions_merges_new_late_and_reexported_rows(
    two_day_build: TwoDayBuild,
) -> None:
    env = two_day_build.env
    day1 = two_day_build.day1_state["transactions"]
    rows = env.query("select transaction_id, status from marts.fct_transactions")
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate transaction_id after the incremental run"
    day2 = dict(rows)
    stg = dict(env.query("select transaction_id, status from staging.stg_transactions"))
    assert day2 == stg  # every transaction, with its latest status, exactly once
    new_ids = {i for i in day2 if i.startswith("T01")}
    late_ids = {i for i in day2 if i.startswith("T02")}
    assert new_ids and late_ids and not (new_ids | late_ids) & set(day1)
    # late rows are dated before the latest transaction day 1 had loaded: the lookback took them
    ((late_max,),) = env.query(
        "select max(transaction_date) from marts.fct_transactions where transaction_id like 'T02%'"
    )
    day1_max = max(
        r[0]
        for r in env.query(
            "select transaction_date from marts.fct_transactions where transaction_id < 'T01'"
        )
    )
    assert late_max < day1_max
    # re-exported pending payments now succeed, updated in place rather than duplicated
    updated = [i for i, s in day1.items() if s == "pending" and day2[i] == "success"]
    assert updated
    assert len(day2) == len(day1) + len(new_ids) + len(late_ids)
    # the second run was a real incremental merge, not a rebuild
    run_sql = (
        next(
            (env.target_path / "run" / "customer360" / "models" / "marts").rglob(
                "fct_transactions.sql"
            )
        )
        .read_text()
        .lower()
    )
    assert "merge into" in run_sql


def test_incremental_day_equals_a_full_refresh_by_the_documented_rule(
    two_day_build: TwoDayBuild, tmp_path: Path
) -> None:
    """Day 1 full build + day 2 incremental (new, late and re-exported payments) vs a full
    refresh on day 2: identical rows, is_high_risk re-evaluated exactly for the window."""
    check = assert_incremental_equals_full_refresh(
        two_day_build.env, two_day_build.day1_state["fct_rows"], DAY2_AS_OF, tmp_path / "full"
    )
    late = {i for i in check.new_ids if i.startswith("T02")}
    assert late and late <= check.window
    # re-exported payments (pending -> success) were re-processed; the rules fired in the window
    assert check.changed_ids and check.high_risk_in_window > 0
    # the window is the loads after day 1's first file (its re-export file and day 2): the
    # history of day 1's main export is not re-processed
    assert len(check.outside) > 5 * len(check.window)


def test_snapshot_closes_old_versions_and_opens_new_ones(two_day_build: TwoDayBuild) -> None:
    env = two_day_build.env
    before = two_day_build.day1_state["snapshot_rows"]
    assert all(r[4] is None for r in before) and len({r[0] for r in before}) == len(before)
    rows = env.query(
        "select customer_id, kyc_status, account_status, dbt_valid_from, dbt_valid_to "
        "from snapshots.snap_customer_profile order by customer_id, dbt_valid_from"
    )
    versions: dict[str, list[tuple]] = {}
    for r in rows:
        versions.setdefault(r[0], []).append(r)
    for cid in CHANGED_ON_DAY2:
        old, new = versions[cid]
        assert old[4] is not None and old[4] == new[3], cid  # closed when the new one opened
        assert new[4] is None and (new[1], new[2]) == ("expired", "suspended"), cid
    unchanged = [c for c, v in versions.items() if c not in CHANGED_ON_DAY2]
    assert all(len(versions[c]) == 1 and versions[c][0][4] is None for c in unchanged)
    assert len(versions) == len(before) + 2  # the two customers first seen on day 2
    ((current,),) = env.query(
        "select count(*) from snapshots.snap_customer_profile where dbt_valid_to is null"
    )
    ((customers,),) = env.query("select count(*) from marts.dim_customers")
    assert current == customers


def test_as_of_date_drives_every_recency_and_tenure(two_day_build: TwoDayBuild) -> None:
    env = two_day_build.env
    day1 = two_day_build.day1_state["tenure"]
    day2 = dict(env.query("select customer_id, customer_tenure_days from marts.dim_customers"))
    assert all(day2[c] == t + 1 for c, t in day1.items())
    assert env.query("select distinct feature_date from features.feat_customer_segmentation") == [
        (__import__("datetime").date.fromisoformat(DAY2_AS_OF),)
    ]
    assert env.query(
        "select count(*) from marts.fct_customer_value v "
        "join (select customer_id, max(order_date) d "
        "from marts.fct_orders where order_status = 'completed' group by 1) o using (customer_id) "
        f"where v.days_since_last_order <> date_diff('day', o.d, date '{DAY2_AS_OF}')"
    ) == [(0,)]


def test_payment_money_is_in_usd_at_the_seed_rates(two_day_build: TwoDayBuild) -> None:
    """fct_transactions.amount and total_spend are USD: the local amount at the dbt seed's
    rate (kept beside it as amount_local, with its currency); the fixture pays in USD, EUR, GBP."""
    env = two_day_build.env
    rows = env.query(
        "select t.currency, t.amount, t.amount_local, r.usd_per_unit "
        "from marts.fct_transactions t join reference.fx_rates r on t.currency = r.currency")
    ((payments,),) = env.query("select count(*) from marts.fct_transactions")
    assert len(rows) == payments and {"USD", "EUR", "GBP"} <= {r[0] for r in rows}
    assert all(amount == round(local * rate, 2) for _, amount, local, rate in rows)
    assert any(amount != local for currency, amount, local, _ in rows if currency != "USD")
    # total_spend = the customer's successful purchases, in USD
    spend = dict(env.query(
        "select customer_id, round(sum(amount), 2) from marts.fct_transactions "
        "where transaction_type = 'purchase' and status = 'success' group by 1"))
    published = env.query("select customer_id, round(total_spend, 2) from marts.fct_customer_value")
    assert spend and all(total == spend.get(cid, 0.0) for cid, total in published)


def test_fraud_like_payments_are_flagged_high_risk(two_day_build: TwoDayBuild) -> None:
    rows = dict(
        two_day_build.env.query(
            "select customer_id, avg(is_high_risk::int) from marts.fct_transactions group by 1"
        )
    )
    assert rows["C00007"] > 0.3 and rows["C00013"] > 0.3  # night bursts, foreign, failed
    ordinary = [v for c, v in rows.items() if c not in ("C00007", "C00013")]
    assert sum(ordinary) / len(ordinary) < 0.02


def test_ml_scores_flow_into_fct_customer_value(two_day_build: TwoDayBuild) -> None:
    """Scoring writes ml.*; the next build joins the latest score per customer (the scores
    are taken out again afterwards: the build is shared)."""
    import duckdb

    env = two_day_build.env
    assert env.query(
        "select count(*) from marts.fct_customer_value where predicted_ltv is not null "
        "or churn_probability is not null or customer_segment is not null"
    ) == [(0,)]
    con = duckdb.connect(str(env.db_path))
    try:
        con.execute(
            "insert into ml.customer_ltv_scores values "
            "('C00001', 100.0, 'v1', '2026-11-24 03:00'), "
            "('C00001', 900.0, 'v2', '2026-11-25 03:00'), "
            "('C00002', 50.0, 'v2', '2026-11-25 03:00')"
        )
        con.execute(
            "insert into ml.customer_churn_scores values "
            "('C00001', 0.1, 'v2', '2026-11-25 03:00'), "
            "('C00002', 0.9, 'v2', '2026-11-25 03:00')"
        )
        con.execute(
            "insert into ml.customer_segments values ('C00001', 'High Value', 3, 'v2', "
            "'2026-11-25 03:00')"
        )
    finally:
        con.close()
    env.run(
        "build", "--select", "fct_customer_value", "--vars", json.dumps({"as_of_date": DAY2_AS_OF})
    )
    rows = {
        r[0]: r[1:]
        for r in env.query(
            "select customer_id, predicted_ltv, churn_probability, customer_segment, "
            "composite_score "
            "from marts.fct_customer_value where customer_id in ('C00001', 'C00002', 'C00003')"
        )
    }
    try:
        assert rows["C00001"][:3] == (900.0, 0.1, "High Value")  # latest scored_at wins
        assert rows["C00002"][:3] == (50.0, 0.9, None)
        assert rows["C00003"][:3] == (None, None, None)
        assert all(0 <= r[3] <= 1 for r in rows.values())
    finally:
        # the shared build as it was (fct_customer_daily, read by the semantic layer's tests,
        # was built from the unscored Customer 360)
        con = duckdb.connect(str(env.db_path))
        try:
            for table in ("customer_ltv_scores", "customer_churn_scores", "customer_segments"):
                con.execute(f"delete from ml.{table} where model_version in ('v1', 'v2')")
        finally:
            con.close()
        env.run("build", "--select", "fct_customer_value",
                "--vars", json.dumps({"as_of_date": DAY2_AS_OF}))


def test_segment_history_tracks_the_scored_attributes(two_day_build: TwoDayBuild,
                                                       tmp_path: Path) -> None:
    """snap_customer_segments (built after fct_customer_value) opens a version when a
    customer's KMeans segment or churn band changes between two publications, so the movement
    between segments can be queried; an unchanged customer keeps one version."""
    import shutil

    import duckdb

    from tests.dbt.conftest import DbtEnv

    env = DbtEnv(tmp_path / "segments")
    env.workdir.mkdir()
    shutil.copyfile(two_day_build.env.db_path, env.db_path)

    def publish(as_of: str, churn: list[tuple], segments: list[tuple]) -> None:
        con = duckdb.connect(str(env.db_path))
        try:
            for cid, p in churn:
                con.execute("insert into ml.customer_churn_scores values (?, ?, 'v', ?)",
                            [cid, p, f"{as_of} 00:00:00"])
            for cid, name in segments:
                con.execute("insert into ml.customer_segments values (?, ?, 1, 'v', ?)",
                            [cid, name, f"{as_of} 00:00:00"])
        finally:
            con.close()
        env.run("build", "--select", "fct_customer_value", "snap_customer_segments",
                "--vars", json.dumps({"as_of_date": as_of}))

    publish("2026-11-26", [("C00001", 0.2), ("C00002", 0.8)], [("C00001", "Loyal")])
    publish("2026-11-27", [("C00001", 0.9), ("C00002", 0.75)],
            [("C00001", "At Risk"), ("C00002", "Loyal")])
    versions: dict[str, list[tuple]] = {}
    for cid, segment, band, rfm, valid_from, valid_to in env.query(
            "select customer_id, customer_segment, churn_band, rfm_segment, dbt_valid_from, "
            "dbt_valid_to from snapshots.snap_customer_segments "
            "order by customer_id, dbt_valid_from"):
        versions.setdefault(cid, []).append((segment, band, rfm, valid_from, valid_to))
    # before any scoring (the day-1 and day-2 builds) no segment or band; then one version per
    # publication that changed them
    scored = {cid: [(v[0], v[1]) for v in versions[cid]] for cid in ("C00001", "C00002")}
    assert scored["C00001"][-2:] == [("Loyal", "low"), ("At Risk", "high")]
    assert scored["C00002"][-2:] == [(None, "high"), ("Loyal", "high")]
    assert all(v == (None, None) for chain in scored.values() for v in chain[:-2])
    for cid in ("C00001", "C00002"):  # each closed when the next one opened
        chain = versions[cid]
        assert all(a[4] == b[3] for a, b in zip(chain, chain[1:], strict=False))
        assert chain[-1][4] is None
    # the movement, as a retention analyst queries it
    moves = env.query(
        "select customer_id, churn_band from (select customer_id, churn_band, "
        "lag(churn_band) over (partition by customer_id order by dbt_valid_from) as before "
        "from snapshots.snap_customer_segments) where before = 'low' and churn_band = 'high'")
    assert moves == [("C00001", "high")]
    ((current,),) = env.query(
        "select count(*) from snapshots.snap_customer_segments where dbt_valid_to is null")
    ((customers,),) = env.query("select count(*) from marts.fct_customer_value")
    assert current == customers


def test_a_second_customer_with_an_existing_email_fails_the_unique_test(
        two_day_build: TwoDayBuild, tmp_path: Path) -> None:
    """stg_customers.email is unique (spec): a new customer exported with another customer's
    email (in another case, padded) fails dbt's test on that column, and nothing else."""
    import shutil

    import duckdb

    from tests.dbt.conftest import DbtEnv

    env = DbtEnv(tmp_path / "emails")
    env.workdir.mkdir()
    shutil.copyfile(two_day_build.env.db_path, env.db_path)
    ((email,),) = env.query("select email from staging.stg_customers where customer_id = 'C00001'")
    con = duckdb.connect(str(env.db_path))
    try:
        con.execute(
            "insert into raw.customers by name select 'C99999' as customer_id, "
            "? as email, date '2026-11-25' as signup_date, 'active' as account_status, "
            "timestamp '2026-11-26 02:00:00' as _loaded_at, "
            "'customers/dt=2026-11-26/customers_20261126.csv.gz' as _source_file, "
            "1 as _source_row_number", [f"  {email.upper()} "])
    finally:
        con.close()
    with pytest.raises(AssertionError) as failed:
        env.run("test", "--select", "stg_customers", "--vars",
                json.dumps({"as_of_date": DAY2_AS_OF}))
    tests = {r["unique_id"]: r["status"] for r in env.run_results()["results"]
             if r["unique_id"].startswith(("test.", "unit_test."))}
    assert {u for u, status in tests.items() if status != "pass"} == {
        u for u in tests if ".unique_stg_customers_email" in u}, failed.value
    assert len(tests) > 1


def test_docs_generate(two_day_build: TwoDayBuild) -> None:
    env = two_day_build.env
    env.run("docs", "generate", "--static", "--vars", json.dumps({"as_of_date": DAY2_AS_OF}))
    catalog = json.loads((env.target_path / "catalog.json").read_text())
    assert "model.customer360.fct_customer_value" in catalog["nodes"]
    assert (env.target_path / "index.html").exists()
    # --static: one file that opens without a server, with the lineage to the consumers
    assert "executive_kpi_scorecard" in (env.target_path / "static_index.html").read_text()
    exposures = env.manifest()["exposures"]
    scorecard = exposures["exposure.customer360.executive_kpi_scorecard"]
    assert "metric.customer360.active_customers" in scorecard["depends_on"]["nodes"]
    assert "model.customer360.fct_customer_daily" in scorecard["depends_on"]["nodes"]
    consumed = {n for e in exposures.values() for n in e["depends_on"]["nodes"]}
    marts = {f"model.customer360.{m.name}" for m in load_catalog().values() if m.layer == "mart"}
    assert marts <= consumed  # every mart of the catalog has a consumer in the lineage
    assert {e["type"] for e in exposures.values()} == {"dashboard", "application", "analysis",
                                                      "ml"}
