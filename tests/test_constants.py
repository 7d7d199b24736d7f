"""The platform's names (include/c360/constants.py) are the ones its configuration files use."""

from __future__ import annotations

from pathlib import Path

import yaml

from include.c360 import constants

ROOT = Path(__file__).resolve().parents[1]


def test_connections_and_pool_are_those_of_airflow_settings():
    settings = yaml.safe_load((ROOT / "airflow_settings.yaml").read_text())["airflow"]
    assert {c["conn_id"] for c in settings["connections"]} == {
        constants.DUCKDB_CONN_ID, constants.SNOWFLAKE_CONN_ID, constants.AWS_CONN_ID,
        constants.SMTP_CONN_ID}
    assert [p["pool_name"] for p in settings["pools"]] == [constants.DUCKDB_POOL]


def test_schemas_are_those_of_the_dbt_project():
    project = yaml.safe_load((ROOT / "dbt" / "dbt_project.yml").read_text())
    models = project["models"]["customer360"]
    assert {folder: cfg["+schema"] for folder, cfg in models.items()
            if isinstance(cfg, dict) and "+schema" in cfg} == {
        "staging": constants.STAGING_SCHEMA, "marts": constants.MARTS_SCHEMA,
        "features": constants.FEATURES_SCHEMA, "alerts": constants.ALERTS_SCHEMA,
        "semantic": constants.SEMANTIC_SCHEMA}
    assert project["snapshots"]["customer360"]["+schema"] == constants.SNAPSHOTS_SCHEMA
    assert project["seeds"]["customer360"]["+schema"] == constants.REFERENCE_SCHEMA
    # dbt reads what ingestion loads (raw) and what ML scoring writes (ml)
    sources = {s["name"]: s["schema"] for path in (ROOT / "dbt" / "models").rglob(
        "_*__sources.yml") for s in yaml.safe_load(path.read_text())["sources"]}
    assert set(sources.values()) == {constants.RAW_SCHEMA, constants.ML_SCHEMA}
    assert sources["ml"] == constants.ML_SCHEMA
