"""Fixtures of the ML tests: one small world built the platform's way (the generator's history
at scale 0.005, ~1.35K customers, loaded by the real ingestion, dbt run up to the feature
tables as of 2026-11-24), copied per test that writes to it; settings point at a temporary
data dir."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from include.c360.offline import LocalWarehouse, build_warehouse

AS_OF = "2026-11-24"
# what ML scoring reads, what publishing the scores needs, and the payments mart the
# evaluation's flagged-payment figures read
FEATURE_MODELS = ("+feat_customer_segmentation", "+feat_fraud_behavior", "+feat_customer_history",
                  "+fct_transactions")


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> LocalWarehouse:
    wh = build_warehouse(tmp_path_factory.mktemp("ml_world"), scale=0.005,
                         as_of=date.fromisoformat(AS_OF))
    wh.dbt("seed")
    wh.dbt("run", "--select", *FEATURE_MODELS)
    return wh


@pytest.fixture
def cfg(tmp_path):
    from include.c360.ml.config import MLConfig

    # smaller searches than production so the suite stays quick; same code paths
    return MLConfig(models_dir=tmp_path / "models", k_max=5, silhouette_sample=600,
                    gbm_max_iter=40)


@pytest.fixture
def world_copy(world, tmp_path, monkeypatch) -> Path:
    """A private copy of the world's warehouse; C360_* settings point into tmp_path."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(world.db_path, path)
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("C360_DUCKDB_PATH", str(path))
    monkeypatch.setenv("C360_TARGET", "duckdb")
    return path


@pytest.fixture
def wh(world_copy):
    from include.c360.warehouse import DuckDBWarehouse

    warehouse = DuckDBWarehouse(world_copy)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="session")
def scored_world(world, tmp_path_factory):
    """The world scored once by the four tasks (read-only for the tests that use it)."""
    from include.c360.ml import tasks
    from include.c360.ml.config import MLConfig
    from include.c360.warehouse import DuckDBWarehouse

    root = tmp_path_factory.mktemp("ml_scored")
    path = root / "warehouse.duckdb"
    shutil.copyfile(world.db_path, path)
    cfg = MLConfig(models_dir=root / "models", k_max=5, silhouette_sample=600, gbm_max_iter=40)
    warehouse = DuckDBWarehouse(path)
    try:
        summaries = tasks.run_all(AS_OF, cfg=cfg, wh=warehouse)
    finally:
        warehouse.close()
    return path, summaries, cfg
