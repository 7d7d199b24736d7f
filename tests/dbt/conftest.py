"""Fixtures for the dbt project's tests: a temp DuckDB warehouse built over two days.

dbt runs as a subprocess from the dbt virtualenv (.venv-dbt), as Cosmos and the Makefile run it,
with a temporary C360_DUCKDB_PATH and its own target/log directories.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.dbt.results import is_listed_exposure

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt"
DBT_VENV = REPO / ".venv-dbt"
DBT_EXE = DBT_VENV / "bin" / "dbt"
DAY1_AS_OF = "2026-11-24"
DAY2_AS_OF = "2026-11-25"


def beyond_spec_columns(model: str) -> list[tuple[str, str]]:
    """The columns a spec model has beyond the catalog's, as its YAML documents them (``meta:
    beyond_spec: true``, after the spec's columns): (name, dbt data_type), in order."""
    import yaml

    for path in sorted((DBT_PROJECT / "models").rglob("*.yml")):
        for doc in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            if doc["name"] == model:
                return [(c["name"], c["data_type"]) for c in doc.get("columns", [])
                        if (c.get("meta") or {}).get("beyond_spec")]
    return []


@dataclass
class DbtEnv:
    """One isolated dbt environment: warehouse file, target and log paths."""

    workdir: Path
    db_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.db_path = self.workdir / "c360.duckdb"

    @property
    def target_path(self) -> Path:
        return self.workdir / "target"

    def run(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        """``dbt <args>`` on this warehouse (include.c360.offline.run_dbt); fails the test with
        dbt's output when dbt fails."""
        from include.c360.offline import run_dbt

        log.info("running dbt %s", " ".join(args))
        try:
            return run_dbt(self.db_path, self.workdir, *args, timeout=timeout)
        except RuntimeError as err:
            raise AssertionError(str(err)) from None

    def statuses(self) -> set[str]:
        """The statuses of the last run's nodes (exposures aside)."""
        return {r["status"] for r in self.run_results()["results"]
                if not is_listed_exposure(r["unique_id"], r["status"])}

    def run_results(self) -> dict[str, Any]:
        return json.loads((self.target_path / "run_results.json").read_text())

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.target_path / "manifest.json").read_text())

    def query(self, sql: str) -> list[tuple]:
        import duckdb

        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@dataclass
class TwoDayBuild:
    env: DbtEnv
    day1_results: dict[str, Any]
    day2_results: dict[str, Any]
    day1_state: dict[str, Any]
    raw_day2_counts: dict[str, int]


def require_dbt_venv() -> None:
    if not DBT_EXE.exists():
        pytest.fail(
            f"dbt virtualenv missing: {DBT_EXE} (install dbt-requirements.txt into .venv-dbt)"
        )


@pytest.fixture(scope="session")
def two_day_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoDayBuild]:
    """RAW day 1 -> dbt build; RAW day-2 increment -> dbt build with the next as_of_date."""
    from tests.dbt.raw_fixture import load_duckdb

    require_dbt_venv()
    env = DbtEnv(tmp_path_factory.mktemp("dbt_two_days"))
    load_duckdb(str(env.db_path), 1)
    env.run("build", "--vars", json.dumps({"as_of_date": DAY1_AS_OF}))
    day1_results = env.run_results()
    from tests.dbt.incremental_check import fct_rows

    day1_state = {
        "transactions": dict(
            env.query("select transaction_id, status from marts.fct_transactions")
        ),
        "fct_rows": fct_rows(env),
        "tenure": dict(
            env.query("select customer_id, customer_tenure_days from marts.dim_customers")
        ),
        "active_customers": env.query(
            "select count(*) from marts.dim_customers where is_active")[0][0],
        "snapshot_rows": env.query(
            "select customer_id, kyc_status, account_status, dbt_valid_from, dbt_valid_to "
            "from snapshots.snap_customer_profile"
        ),
    }
    raw_day2_counts = load_duckdb(str(env.db_path), 2)
    env.run("build", "--vars", json.dumps({"as_of_date": DAY2_AS_OF}))
    yield TwoDayBuild(env, day1_results, env.run_results(), day1_state, raw_day2_counts)
