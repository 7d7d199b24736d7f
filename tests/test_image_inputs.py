"""The Docker image's inputs (``astro dev start``), checked without a Docker daemon: what the
Dockerfile copies and installs exists in the build context, every pin agrees with its lock file,
and the locks are what the tests run with (the two local virtualenvs)."""

from __future__ import annotations

import fnmatch
import re
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = (REPO / "Dockerfile").read_text()
# Astro Runtime tag -> the Airflow it ships (Astro's release notes: 3.3-2 = Airflow 3.3.2)
RUNTIME_AIRFLOW = {"3.3-2": "3.3.2"}


def _pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-\[\],]+)==([^\s;]+)", line)
        assert m, f"{path.name}: {line!r} is not pinned as name==version"
        out[_norm(m.group(1).split("[")[0])] = m.group(2)
    return out


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _ignored(rel: str) -> bool:
    patterns = [p.strip() for p in (REPO / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]
    return any(fnmatch.fnmatch(rel, p) or rel.startswith(p.rstrip("/") + "/") for p in patterns)


def test_the_dockerfile_installs_files_of_the_build_context_against_their_locks():
    runs = re.findall(r"^RUN (.+?)(?<!\\)$", DOCKERFILE, re.M | re.S)
    installs = re.findall(r"pip install [^&\n]*?-r (\S+) -c (\S+)", DOCKERFILE)
    assert installs == [("requirements.txt", "constraints.txt"),
                        ("dbt-requirements.txt", "dbt-constraints.txt")], runs
    for req, lock in installs:
        for name in (req, lock):
            assert (REPO / name).is_file() and not _ignored(name), name
        pins, locked = _pins(REPO / req), _pins(REPO / lock)
        assert {k: v for k, v in pins.items() if locked.get(k) != v} == {}, (req, lock)
    module = re.search(r"python -m (include\.[\w.]+)", DOCKERFILE).group(1)
    assert (REPO / (module.replace(".", "/") + ".py")).is_file()
    for rel in ("dags", "include", "dbt/dbt_project.yml", "packages.txt", "airflow_settings.yaml"):
        assert (REPO / rel).exists() and not _ignored(rel), rel
    assert _ignored("dbt/target/manifest.json") and _ignored(".venv/bin/python")


def test_the_base_image_ships_the_locked_airflow():
    tag = re.search(r"^FROM \S+/runtime:(\S+)", DOCKERFILE, re.M).group(1)
    assert _pins(REPO / "constraints.txt")["apache-airflow"] == RUNTIME_AIRFLOW[tag]


def test_the_dbt_executable_is_the_one_the_image_builds():
    venv = re.search(r"python -m venv (\S+)", DOCKERFILE).group(1)
    dbt = re.search(r"C360_DBT_EXECUTABLE=(\S+)", DOCKERFILE).group(1)
    assert dbt == f"/usr/local/airflow/{venv}/bin/dbt"


def test_packages_txt_names_only_debian_packages():
    names = [x.strip() for x in (REPO / "packages.txt").read_text().splitlines()
             if x.strip() and not x.startswith("#")]
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9+.\-]+", n) for n in names), names


def test_the_locks_are_what_the_tests_run_with():
    locked = _pins(REPO / "constraints.txt")
    here = {_norm(d.metadata["Name"]): d.version for d in metadata.distributions()}
    assert {k: (v, here.get(k)) for k, v in locked.items() if here.get(k) != v} == {}
    dbt_python = REPO / ".venv-dbt" / "bin" / "python"
    if not dbt_python.exists():
        pytest.skip("no .venv-dbt (make dbt-venv)")
    frozen = subprocess.run([str(dbt_python), "-m", "pip", "freeze"], capture_output=True,
                            text=True, check=True, timeout=60).stdout
    dbt_here = {_norm(a): b for a, _, b in
                (line.partition("==") for line in frozen.splitlines() if "==" in line)}
    dbt_locked = _pins(REPO / "dbt-constraints.txt")
    assert {k: (v, dbt_here.get(k)) for k, v in dbt_locked.items()
            if dbt_here.get(k) != v} == {}
