"""Where things are, from the environment: one setting picks the target.

``C360_TARGET``   ``duckdb`` (default, offline) or ``snowflake``.
``C360_DATA_DIR`` root of local data (default ``<project>/data``; ignored by git).
``C360_LANDING``  landing zone: a local folder (default ``$C360_DATA_DIR/landing``) or
                  ``s3://bucket/prefix`` (read through the ``aws_default`` connection).
``C360_DUCKDB_PATH`` the DuckDB warehouse file (default ``$C360_DATA_DIR/warehouse/c360.duckdb``).
``C360_ENABLE_GENERATOR`` ``true``/``false``: define the ``c360_generate_sources`` DAG (default:
                  only when ``C360_TARGET=duckdb``, so a production deployment has no generator).
``C360_SYNTHETIC_LANDING`` landing-zone URIs (comma-separated) explicitly marked as holding only
                  synthetic data: the generator writes to an ``s3://`` landing zone only if listed.
``C360_DBT_EXECUTABLE`` dbt in its own virtualenv (default ``<project>/.venv-dbt/bin/dbt``; the
                  Docker image sets ``/usr/local/airflow/dbt_venv/bin/dbt``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    target: str
    data_dir: Path
    landing: str
    duckdb_path: Path
    ground_truth_dir: Path
    dbt_executable: Path
    dbt_project_dir: Path

    @property
    def landing_is_s3(self) -> bool:
        return self.landing.startswith("s3://")


def settings() -> Settings:
    """Read the settings now (not at import), so tests and tasks can change the environment."""
    target = os.environ.get("C360_TARGET", "duckdb").lower()
    if target not in {"duckdb", "snowflake"}:
        raise ValueError(f"C360_TARGET must be 'duckdb' or 'snowflake', not {target!r}")
    data_dir = Path(os.environ.get("C360_DATA_DIR", PROJECT_ROOT / "data")).resolve()
    landing = os.environ.get("C360_LANDING", str(data_dir / "landing"))
    duckdb_path = Path(os.environ.get("C360_DUCKDB_PATH", data_dir / "warehouse" / "c360.duckdb"))
    return Settings(
        target=target,
        data_dir=data_dir,
        landing=landing,
        duckdb_path=duckdb_path,
        ground_truth_dir=data_dir / "ground_truth",
        dbt_executable=Path(
            os.environ.get("C360_DBT_EXECUTABLE", PROJECT_ROOT / ".venv-dbt" / "bin" / "dbt")
        ),
        dbt_project_dir=PROJECT_ROOT / "dbt",
    )


def _flag(name: str) -> bool | None:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return None
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def generator_enabled() -> bool:
    """Whether the ``c360_generate_sources`` DAG is defined: ``C360_ENABLE_GENERATOR`` when
    set, else only on the embedded DuckDB target (never in a Snowflake deployment by default)."""
    flag = _flag("C360_ENABLE_GENERATOR")
    return settings().target == "duckdb" if flag is None else flag


def synthetic_landing_uris() -> set[str]:
    """``C360_SYNTHETIC_LANDING``: the landing zones marked as holding only synthetic data."""
    raw = os.environ.get("C360_SYNTHETIC_LANDING", "")
    return {u.strip().rstrip("/") for u in raw.split(",") if u.strip()}
