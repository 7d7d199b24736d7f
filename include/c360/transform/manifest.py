"""The dbt manifest the transform DAG is rendered from (Cosmos ``LoadMode.DBT_MANIFEST``).

Parsing the DAG never runs dbt: the manifest is built ahead of time by ``dbt parse`` (the
Makefile's ``dbt-manifest`` target, the Dockerfile, the test fixtures), with

    python -m include.c360.transform.manifest          # writes dbt/target/manifest.json

and a slim copy for rendering (``render_manifest.json``), which ``load_manifest`` reads once
per file version in a process. ``C360_DBT_MANIFEST`` points the DAG at another manifest file.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from include.c360.config import settings

log = logging.getLogger(__name__)

BUILD_COMMAND = "python -m include.c360.transform.manifest"
RENDER_MANIFEST = "render_manifest.json"
# What Cosmos and the DAG read from a node/source: the render manifest keeps only these (and no
# macros, docs, parent/child maps), so the DAG processor parses a third of the JSON per group.
RENDER_KEYS = frozenset({
    "unique_id", "name", "resource_type", "package_name", "original_file_path", "path", "fqn",
    "config", "tags", "depends_on", "freshness", "schema", "alias", "identifier",
    "source_name", "loaded_at_field", "attached_node", "meta", "database",
})


class ManifestMissingError(FileNotFoundError):
    """The DAG cannot be rendered: no dbt manifest (run the build command in the message)."""


def manifest_path() -> Path:
    """dbt's full manifest (``C360_DBT_MANIFEST`` or ``dbt/target/manifest.json``)."""
    default = settings().dbt_project_dir / "target" / "manifest.json"
    return Path(os.environ.get("C360_DBT_MANIFEST", default))


def render_manifest_path() -> Path:
    """The slim copy the DAG is rendered from, beside the full manifest."""
    return manifest_path().with_name(RENDER_MANIFEST)


def write_render_manifest(full: Path, dest: Path | None = None) -> Path:
    """Write the render manifest: nodes and sources with the keys Cosmos reads (no exposures:
    the DAG has no task for a consumer, and Cosmos warns about each one it cannot render)."""
    dest = dest or full.with_name(RENDER_MANIFEST)
    manifest = json.loads(full.read_text(encoding="utf-8"))
    slim = {"metadata": manifest["metadata"], "selectors": manifest.get("selectors", {})}
    for section in ("nodes", "sources"):
        slim[section] = {uid: {k: v for k, v in node.items() if k in RENDER_KEYS}
                         for uid, node in manifest.get(section, {}).items()}
    tmp = dest.with_suffix(".tmp")
    tmp.write_text(json.dumps(slim), encoding="utf-8")
    tmp.replace(dest)
    return dest


def require_manifest() -> Path:
    """The render manifest's path, or a clear error saying how to build it."""
    path = render_manifest_path()
    if not path.is_file():
        raise ManifestMissingError(
            f"dbt manifest not found at {path}: the transform DAG is rendered from a manifest "
            f"built ahead of time. Build it with `make dbt-manifest` (or `PYTHONPATH=. "
            f"{BUILD_COMMAND}` from the project root), then re-parse the DAG."
        )
    return path


def load_manifest() -> dict[str, Any]:
    """The render manifest as a dict (cached while the file is unchanged)."""
    path = require_manifest()
    return _load_manifest(str(path), path.stat().st_mtime)


@functools.lru_cache(maxsize=4)
def _load_manifest(path: str, mtime: float) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


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
    write_render_manifest(path)
    log.info("dbt manifest written to %s (and %s) in %.1fs", path, RENDER_MANIFEST,
             time.perf_counter() - started)
    return path


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(build_manifest())
    sys.exit(0)
