"""Static checks of the dbt project: registry/catalog consistency, documentation, lint."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from include.c360.catalog import load_catalog
from include.c360.sources import SOURCES
from tests.dbt.conftest import DBT_PROJECT, DBT_VENV, REPO

SPEC_TYPE = {
    "varchar": "varchar",
    "int": "bigint",
    "float": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


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
        (c.name, SPEC_TYPE[c.type]) for c in source.raw_table_columns
    ]
    assert all(c.get("description") for c in table["columns"])


def test_every_source_is_read_by_its_staging_model_only() -> None:
    for sql in (DBT_PROJECT / "models").rglob("*.sql"):
        text = sql.read_text()
        if "source(" in text:
            assert sql.parent.parent.name == "staging" or sql.stem == "int_customer_ml_scores", sql
        # the staging macros read RAW: only staging models and fct_transactions' incremental
        # path (which stages its slice of RAW with them) may call them
        if re.search(r"\bstaged_(transactions|events)\(", text):
            assert sql.parent.parent.name == "staging" or sql.stem == "fct_transactions", sql
    macros_reading_raw = {
        p.name for p in (DBT_PROJECT / "macros").rglob("*.sql") if "source(" in p.read_text()
    }
    assert macros_reading_raw == {"staged_payments_and_events.sql"}


def test_every_spec_model_is_documented_with_exactly_its_columns() -> None:
    models = _dbt_models()
    for spec in load_catalog().values():
        assert spec.name in models, spec.name
        doc = models[spec.name]
        assert doc.get("description"), spec.name
        cols = doc["columns"]
        assert [(c["name"], c["data_type"]) for c in cols] == [
            (c.name, SPEC_TYPE[c.type]) for c in spec.columns
        ], spec.name
        for c, s in zip(cols, spec.columns, strict=True):
            assert c["description"] == s.description, (spec.name, c["name"])
            assert bool((c.get("meta") or {}).get("kpi")) == s.is_kpi, (spec.name, c["name"])


def _materialized(sql: Path) -> str | None:
    """The folder-level ``+materialized`` of dbt_project.yml that applies to a model file."""
    config = yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text())["models"]
    node = config[next(iter(config))]
    found = node.get("+materialized")
    for part in sql.relative_to(DBT_PROJECT / "models").parent.parts:
        node = node.get(part) or {}
        found = node.get("+materialized", found)
    return found


def test_every_model_file_is_documented_and_its_primary_key_tested() -> None:
    models = _dbt_models()
    for sql in (DBT_PROJECT / "models").rglob("*.sql"):
        assert sql.stem in models, f"{sql} has no YAML entry"
        doc = models[sql.stem]
        assert doc.get("description") and all(c.get("description") for c in doc["columns"]), (
            sql.stem
        )
        if _materialized(sql) == "ephemeral":
            continue  # no relation to test; covered by unit tests
        pk = doc["columns"][0]
        tests = {t if isinstance(t, str) else next(iter(t)) for t in pk.get("data_tests", [])}
        # a composite key (one row per customer and scoring): unique_combination on the model
        composite = [t["unique_combination"]["arguments"]["combination_of_columns"]
                     for t in doc.get("data_tests", [])
                     if isinstance(t, dict) and "unique_combination" in t]
        if composite and composite[0][0] == pk["name"]:
            tests.add("unique")
        assert {"unique", "not_null"} <= tests, sql.stem


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


def test_sqlfluff_lint_passes() -> None:
    proc = subprocess.run(
        [str(DBT_VENV / "bin" / "sqlfluff"), "lint", "dbt/models", "dbt/snapshots"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
