"""Static checks of the dbt project: registry/catalog consistency, documentation (its SQL
style is checked by sqlfluff in `make lint`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from include.c360.catalog import load_catalog
from include.c360.sources import SOURCES
from include.c360.warehouse.types import SPEC_TYPES  # the spec's types in dbt's words
from tests.dbt.conftest import DBT_PROJECT


def _yaml_docs() -> list[tuple[Path, dict]]:
    return [
        (p, yaml.safe_load(p.read_text())) for p in sorted((DBT_PROJECT / "models").rglob("*.yml"))
    ]


def _dbt_sources() -> dict[tuple[str, str], tuple[str, dict]]:
    out = {}
    for _path, doc in _yaml_docs():
        for src in doc.get("sources", []):
            for table in src["tables"]:
                out[(src.get("schema", src["name"]), table["name"])] = (src["name"], table)
    return out


def _dbt_models() -> dict[str, dict]:
    return {m["name"]: m for _, doc in _yaml_docs() for m in doc.get("models", [])}


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_dbt_source_matches_the_registry(source) -> None:
    sources = _dbt_sources()
    assert ("raw", source.name) in sources, f"no dbt source for raw.{source.name}"
    _, table = sources[("raw", source.name)]
    config = table["config"]
    assert config["loaded_at_field"] == "_loaded_at"
    freshness = config["freshness"]
    assert freshness["warn_after"] == {"count": source.warn_after_hours, "period": "hour"}
    if source.error_after_hours is None:
        assert "error_after" not in freshness
    else:
        assert freshness["error_after"] == {"count": source.error_after_hours, "period": "hour"}
    assert [(c["name"], c["data_type"]) for c in table["columns"]] == [
        (c.name, SPEC_TYPES[c.type]) for c in source.raw_table_columns
    ]
    assert all(c.get("description") for c in table["columns"])


def test_every_source_is_read_by_its_staging_model_only() -> None:
    for sql in (DBT_PROJECT / "models").rglob("*.sql"):
        text = sql.read_text()
        if "source(" in text:
            assert sql.parent.parent.name == "staging" or sql.stem == "int_customer_ml_scores", sql
        # the staging macros read RAW: only staging models and fct_transactions' incremental
        # path (which stages its slice of RAW with them) may call them
        if re.search(r"\bstaged_(transactions|events|customers|orders)\(", text):
            assert sql.parent.parent.name == "staging" or sql.stem == "fct_transactions", sql
    macros_reading_raw = {
        p.name for p in (DBT_PROJECT / "macros").rglob("*.sql") if "source(" in p.read_text()
    }
    assert macros_reading_raw == {"staged_payments_and_events.sql",
                                  "staged_customers_and_orders.sql"}


def test_every_spec_model_is_documented_with_exactly_its_columns() -> None:
    """The spec's columns, in its order and types, then only the columns documented as beyond
    the spec (``meta: beyond_spec``; dbt/README.md lists them)."""
    models = _dbt_models()
    for spec in load_catalog().values():
        assert spec.name in models, spec.name
        doc = models[spec.name]
        assert doc.get("description"), spec.name
        cols = doc["columns"]
        spec_cols, extra = cols[:len(spec.columns)], cols[len(spec.columns):]
        assert [(c["name"], c["data_type"]) for c in spec_cols] == [
            (c.name, SPEC_TYPES[c.type]) for c in spec.columns
        ], spec.name
        assert all((c.get("meta") or {}).get("beyond_spec") for c in extra), spec.name
        assert not [c for c in spec_cols if (c.get("meta") or {}).get("beyond_spec")], spec.name
        for c, s in zip(spec_cols, spec.columns, strict=True):
            assert c.get("description"), (spec.name, c["name"])
            assert bool((c.get("meta") or {}).get("kpi")) == s.is_kpi, (spec.name, c["name"])
            assert bool((c.get("meta") or {}).get("pii")) == s.is_pii, (spec.name, c["name"])
        assert all(c.get("description", "").startswith("Beyond the spec.") for c in extra), (
            spec.name)


def test_pii_is_declared_once_and_the_dbt_meta_follows_it() -> None:
    """Every dbt column marked ``meta: {pii: true}`` (sources, models, snapshots) is one the
    catalog marks ``pii: true`` (RAW: the source registry's, snapshot: its model's), and
    every such column is marked."""
    from include.c360.catalog import pii_columns
    from include.c360.pii import raw_relations

    marked = set()
    for path in sorted([*(DBT_PROJECT / "models").rglob("*.yml"),
                        *(DBT_PROJECT / "snapshots").rglob("*.yml")]):
        doc = yaml.safe_load(path.read_text())
        for src in doc.get("sources", []):
            for t in src["tables"]:
                marked |= {(src.get("schema", src["name"]), t["name"], c["name"])
                           for c in t.get("columns", []) if (c.get("meta") or {}).get("pii")}
        for m in doc.get("models", []) + doc.get("snapshots", []):
            marked |= {("dbt", m["name"], c["name"]) for c in m.get("columns", [])
                       if (c.get("meta") or {}).get("pii")}
    expected = {(r.schema, r.name, c) for r in raw_relations() for c in r.columns}
    expected |= {("dbt", spec.name, c) for spec in load_catalog().values()
                 for c in pii_columns(spec.name)}
    expected |= {("dbt", "snap_customer_profile", c) for c in pii_columns("stg_customers")}
    assert marked == expected
    assert {("raw", "customers", "email"), ("dbt", "dim_customers", "full_name")} <= marked


def test_descriptions_name_only_models_columns_and_vars_that_exist() -> None:
    """A description may say where a column is used (`int_customer_orders.top_category`,
    `var as_of_date`): every model, `model.column` and var it names exists in the project."""
    docs = _yaml_docs()
    columns = {m["name"]: {c["name"] for c in m.get("columns", [])}
               for _, doc in docs for m in doc.get("models", [])}
    for _, doc in docs:
        for src in doc.get("sources", []):
            for t in src["tables"]:
                columns.setdefault(t["name"], set()).update(c["name"] for c in t["columns"])
    # the snapshots and seeds are named in descriptions too (their own YAMLs)
    for path in sorted([*(DBT_PROJECT / "snapshots").rglob("*.yml"),
                        *(DBT_PROJECT / "seeds").rglob("*.yml")]):
        doc = yaml.safe_load(path.read_text())
        for node in [*doc.get("snapshots", []), *doc.get("seeds", [])]:
            columns[node["name"]] = {c["name"] for c in node.get("columns", [])}
    all_columns = set().union(*columns.values())
    project_vars = set(yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text())["vars"])
    names = re.compile(r"\b((?:stg|int|dim|fct|feat|snap)_[a-z0-9_]+)(?:\.([a-z0-9_]+))?")
    for path, doc in docs:
        for m in doc.get("models", []):
            for where, text in [(m["name"], m.get("description", ""))] + [
                    (f"{m['name']}.{c['name']}", c.get("description", ""))
                    for c in m.get("columns", [])]:
                for name, column in names.findall(text):
                    assert name in columns or name in all_columns, (path.name, where, name)
                    if column and name in columns:
                        assert column in columns[name], (path.name, where, name, column)
                for var in re.findall(r"\bvar (\w+)", text):
                    assert var in project_vars, (path.name, where, var)


def _materialized(manifest: Path) -> dict[str, str]:
    """Each model's materialization as dbt resolved it (the manifest the DAG renders from)."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {n["name"]: n["config"]["materialized"] for n in nodes if n["resource_type"] == "model"}


def test_every_model_file_is_documented_and_its_primary_key_tested(manifest: Path) -> None:
    models = _dbt_models()
    materialized = _materialized(manifest)
    for sql in (DBT_PROJECT / "models").rglob("*.sql"):
        assert sql.stem in models, f"{sql} has no YAML entry"
        doc = models[sql.stem]
        assert doc.get("description") and all(c.get("description") for c in doc["columns"]), (
            sql.stem
        )
        if materialized[sql.stem] == "ephemeral":
            continue  # no relation to test; covered by unit tests
        assert _key_columns_tested(doc), sql.stem


def _test_names(tests: list) -> set[str]:
    return {t if isinstance(t, str) else next(iter(t)) for t in tests}


def _key_columns_tested(doc: dict) -> bool:
    """The primary key (the first column) is unique and not null; or, for a model whose grain
    is several columns, a model-level ``unique_combination`` of them plus not_null on each."""
    columns = {c["name"]: c for c in doc["columns"]}
    if {"unique", "not_null"} <= _test_names(doc["columns"][0].get("data_tests", [])):
        return True
    for test in doc.get("data_tests", []):
        if isinstance(test, dict) and "unique_combination" in test:
            parts = test["unique_combination"]["arguments"]["combination_of_columns"]
            return len(parts) > 1 and all(
                "not_null" in _test_names(columns[p].get("data_tests", [])) for p in parts)
    return False


def test_no_bare_current_date_in_models() -> None:
    pattern = re.compile(r"\b(current_date|current_timestamp|now\(\)|getdate\(\)|sysdate)", re.I)
    offenders = [
        str(p) for p in (DBT_PROJECT / "models").rglob("*.sql") if pattern.search(p.read_text())
    ]
    assert not offenders


def test_no_secret_in_profiles() -> None:
    profiles = yaml.safe_load((DBT_PROJECT / "profiles.yml").read_text())
    snowflake = profiles["customer360"]["outputs"]["snowflake"]
    for key in ("account", "user", "password", "role", "warehouse", "database"):
        assert "env_var(" in str(snowflake[key]), key
    assert "env_var('C360_DUCKDB_PATH')" in profiles["customer360"]["outputs"]["duckdb"]["path"]


def test_fx_seed_covers_every_currency_and_country_of_the_generator() -> None:
    """The dated FX rates convert every currency the generator's ledger writes at the rate it
    used (one per currency, from before any history it can write: the last rate carries
    forward), and every customer country has its home currency."""
    import csv
    from datetime import date

    from include.c360.generator import pools

    with (DBT_PROJECT / "seeds" / "fx_rates.csv").open() as f:
        rates = list(csv.DictReader(f))
    first = {}
    for r in rates:
        first.setdefault(r["currency"], []).append(date.fromisoformat(r["rate_date"]))
    assert set(first) == set(pools.CURRENCIES)
    assert all(min(d) <= date(2000, 1, 1) for d in first.values())
    by_currency = {r["currency"]: float(r["usd_per_unit"]) for r in rates}
    assert by_currency == pools.USD_PER_UNIT
    with (DBT_PROJECT / "seeds" / "country_currencies.csv").open() as f:
        homes = {r["country"]: r["currency"] for r in csv.DictReader(f)}
    assert homes == {c[0]: c[2] for c in pools.COUNTRIES}
