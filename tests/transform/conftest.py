"""Fixtures of the transform tests: the dbt manifest and one small platform world.

The world (generator at scale 0.003 -> landing folder -> the ingestion code's loads into a
DuckDB file) is built once per session; each DAG run gets its own copy of the loaded file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("AIRFLOW_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                   f"c360_transform_tests_{os.getuid()}"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

AS_OF = date(2026, 11, 24)
SCALE = 0.003


@pytest.fixture(scope="session")
def manifest() -> Path:
    from tests.transform.world import ensure_manifest

    return ensure_manifest()


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, manifest: Path):
    from tests.transform.world import build_world

    w = build_world(tmp_path_factory.mktemp("tx_world"), SCALE, AS_OF)
    shutil.rmtree(w.landing)  # loaded; the DAG does not read the landing zone
    return w


@pytest.fixture
def world_copy(world, tmp_path: Path) -> Iterator:
    """A private copy of the loaded world's warehouse for one DAG run."""
    from tests.transform.world import World

    db = tmp_path / "warehouse" / "c360.duckdb"
    db.parent.mkdir(parents=True)
    shutil.copy(world.db_path, db)
    yield World(tmp_path, world.landing, db, world.as_of, world.raw_rows, world.seconds)
