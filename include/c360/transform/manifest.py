"""The dbt manifest the transform DAG is rendered from (Cosmos ``LoadMode.DBT_MANIFEST``).

Parsing the DAG never runs dbt: the manifest is built ahead of time by ``dbt parse`` (the
Makefile's ``dbt-manifest`` target, the Dockerfile, the test fixtures), with

    python -m include.c360.transform.manifest          # writes dbt/target/manifest.json

``C360_DBT_MANIFEST`` points the DAG at another manifest file.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from include.c360.config import settings

log = logging.getLogger(__name__)

BUILD_COMMAND = "python -m include.c360.transform.manifest"


class ManifestMissingError(FileNotFoundError):
    """The DAG cannot be rendered: no dbt manifest (run the build command in the message)."""


def manifest_path() -> Path:
    default = settings().dbt_project_dir / "target" / "manifest.json"
    return Path(os.environ.get("C360_DBT_MANIFEST", default))


def require_manifest() -> Path:
    """The manifest's path, or a clear error saying how to build it."""
    path = manifest_path()
    if not path.is_file():
        raise ManifestMissingError(
            f"dbt manifest not found at {path}: the transform DAG is rendered from a manifest "
            f"built ahead of time. Build it with `make dbt-manifest` (or `PYTHONPATH=. "
            f"{BUILD_COMMAND}` from the project root), then re-parse the DAG."
        )
    return path


def build_manifest(target_path: Path | None = None, timeout: float = 600) -> Path:
    """Run ``dbt parse`` with the project's dbt executable; returns the manifest path.

    Parsing needs no warehouse connection; the profile's DuckDB path only has to render, so a
    placeholder is used when ``C360_DUCKDB_PATH`` is unset.
    """
    s = settings()
    target_path = target_path or manifest_path().parent
    env = {
        **os.environ,
        "C360_DBT_TARGET": os.environ.get("C360_DBT_TARGET", "duckdb"),
        "C360_DUCKDB_PATH": str(s.duckdb_path),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    cmd = [
        str(s.dbt_executable), "parse", "--quiet",
        "--project-dir", str(s.dbt_project_dir), "--profiles-dir", str(s.dbt_project_dir),
        "--target-path", str(target_path), "--log-path", str(target_path / "logs"),
    ]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(
            f"`{' '.join(cmd)}` failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n"
            f"{proc.stderr[-2000:]}"
        )
    path = target_path / "manifest.json"
    log.info("dbt manifest written to %s in %.1fs", path, time.perf_counter() - started)
    return path


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(build_manifest())
    sys.exit(0)
