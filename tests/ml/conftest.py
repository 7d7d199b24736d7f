"""Fixtures of the ML tests: one small synthetic world (scale 0.005, ~1.35K customers) in a
DuckDB file, copied per test that writes to it; settings point at a temporary data dir."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests_ml_helpers import load_world_module

AS_OF = "2026-11-24"


world = load_world_module()


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ml_world")
    world.make_world_db(root / "world.duckdb", world.WorldSpec(scale=0.005),
                        ground_truth_dir=root / "ground_truth")
    return root


@pytest.fixture
def cfg(tmp_path):
    from include.c360.ml.config import MLConfig

    # smaller searches than production so the suite stays quick; same code paths
    return MLConfig(models_dir=tmp_path / "models", k_max=5, silhouette_sample=600,
                    gbm_max_iter=40)


@pytest.fixture
def world_copy(world_dir, tmp_path, monkeypatch) -> Path:
    """A private copy of the world database; C360_* settings point into tmp_path."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(world_dir / "world.duckdb", path)
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("C360_DUCKDB_PATH", str(path))
    monkeypatch.setenv("C360_TARGET", "duckdb")
    return path


@pytest.fixture
def wh(world_copy):
    from include.c360.ml.warehouse import DuckDBWarehouse

    warehouse = DuckDBWarehouse(world_copy)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="session")
def scored_world(world_dir, tmp_path_factory):
    """The world scored once by the four tasks (read-only for the tests that use it)."""
    from include.c360.ml import tasks
    from include.c360.ml.config import MLConfig
    from include.c360.ml.warehouse import DuckDBWarehouse

    root = tmp_path_factory.mktemp("ml_scored")
    path = root / "warehouse.duckdb"
    shutil.copyfile(world_dir / "world.duckdb", path)
    cfg = MLConfig(models_dir=root / "models", k_max=5, silhouette_sample=600, gbm_max_iter=40)
    warehouse = DuckDBWarehouse(path)
    try:
        summaries = tasks.run_all(AS_OF, cfg=cfg, wh=warehouse)
    finally:
        warehouse.close()
    return path, summaries, cfg
