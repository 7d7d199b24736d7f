"""Fixtures of the transform tests: a private copy of the session's small platform world
(``world`` and ``manifest`` are in tests/conftest.py, shared with the alerting tests)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("AIRFLOW_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                   f"c360_transform_tests_{os.getuid()}"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture
def world_copy(world, tmp_path: Path) -> Iterator:
    """A private copy of the loaded world's warehouse for one DAG run."""
    from tests.transform.world import World

    db = tmp_path / "warehouse" / "c360.duckdb"
    db.parent.mkdir(parents=True)
    shutil.copy(world.db_path, db)
    yield World(tmp_path, world.landing, db, world.as_of, world.raw_rows, world.seconds)
