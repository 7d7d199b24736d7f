"""Run Airflow 3 locally without Docker: api-server, scheduler, dag-processor and triggerer.

    python scripts/local_airflow.py start    # migrate DB, apply airflow_settings.yaml, start, wait
    python scripts/local_airflow.py stop     # stop every process it started (one process group)
    python scripts/local_airflow.py status
    python scripts/local_airflow.py env      # print the environment as `export` lines
    python scripts/local_airflow.py apply-settings

``AIRFLOW_HOME`` is ``airflow_home/`` inside the project (ignored by git); the metadata DB is
SQLite with the LocalExecutor. All four components run in ONE process group whose id is written
to ``airflow_home/airflow.pgid``; ``stop`` signals the whole group, so nothing is left behind
(``airflow standalone`` ignores SIGTERM on its children, which is why it is not used).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
# Parsing DAG files and polling triggers can wait; the tasks (forked by the scheduler's
# LocalExecutor) and the API they report to cannot. On a laptop all share the cores, so these
# two run at a lower CPU priority (C360_AIRFLOW_BACKGROUND_NICE, 0 = same as the tasks).
BACKGROUND_COMPONENTS = ("dag-processor", "triggerer")
DEFAULT_PORT = 8080
DEFAULT_USER = "admin"
PASSWORD_ENV = "C360_AIRFLOW_PASSWORD"  # the admin's password, else a random one per home


def airflow_home() -> Path:
    return Path(os.environ.get("C360_AIRFLOW_HOME", ROOT / "airflow_home")).resolve()


def port() -> int:
    return int(os.environ.get("C360_AIRFLOW_PORT", DEFAULT_PORT))


def background_nice() -> int:
    return int(os.environ.get("C360_AIRFLOW_BACKGROUND_NICE", "10"))


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for C360_AIRFLOW_PORT of a throw-away Airflow)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def password(home: Path | None = None) -> str:
    """The local admin's password: ``C360_AIRFLOW_PASSWORD`` if set, else a random one made for
    the Airflow home on first use and kept in it (``.admin_password``, mode 600); printed at
    start. Never a fixed default: ``admin`` is refused."""
    chosen = os.environ.get(PASSWORD_ENV)
    if chosen is None:
        return _local_secret(home or airflow_home(), "admin_password")
    if not chosen.strip() or chosen == DEFAULT_USER:
        raise SystemExit(f"{PASSWORD_ENV} must be a password other than the user name "
                         f"{DEFAULT_USER!r} (unset it for a random one)")
    return chosen


def _local_secret(home: Path, name: str) -> str:
    """A random secret kept in AIRFLOW_HOME (never in git), the same for every component."""
    path = home / f".{name}"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def environment(home: Path | None = None) -> dict[str, str]:
    """The environment every local Airflow process (and the tests) run with."""
    home = home or airflow_home()
    base_url = f"http://localhost:{port()}"
    sys.path.insert(0, str(ROOT))
    from include.c360.config import settings

    # dbt (Cosmos' profile mapping) reads the warehouse from this connection; ingestion and ML
    # from C360_DUCKDB_PATH: one value for both, whatever C360_DATA_DIR says
    duckdb_conn = json.dumps({"conn_type": "duckdb", "host": str(settings().duckdb_path)})
    env = {
        "AIRFLOW_CONN_DUCKDB_DEFAULT": duckdb_conn,
        "AIRFLOW_HOME": str(home),
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # worker slots (the transform's watcher sensors wait in the triggerer, not here)
        "AIRFLOW__CORE__PARALLELISM": os.environ.get("C360_AIRFLOW_PARALLELISM", "16"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base_url}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{DEFAULT_USER}:admin",  # user:role
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__API__BASE_URL": base_url,
        "AIRFLOW__API__PORT": str(port()),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__SECRET_KEY": _local_secret(home, "api_secret_key"),
        "AIRFLOW__API_AUTH__JWT_SECRET": _local_secret(home, "jwt_secret"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        # a DAG file that changed is parsed again at once (file_parsing_sort_mode
        # modified_time); unchanged ones (edits under include/, a new dbt manifest) every 2 min,
        # not every 30 s: each parse is a process taking a core's share from the tasks
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "120",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos_cache"),
        "DO_NOT_TRACK": "1",
        "SCARF_ANALYTICS": "false",
        "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
    }
    return env


def _run_airflow(args: list[str], env: dict[str, str]) -> None:
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), *args], env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)


def apply_settings(env: dict[str, str], settings_file: Path = ROOT / "airflow_settings.yaml"):
    """Create/update the connections, pools and variables of airflow_settings.yaml."""
    script = ROOT / "scripts" / "airflow_settings.py"
    subprocess.run([sys.executable, str(script), str(settings_file)], env={**os.environ, **env},
                   check=True)


def _pgid_file(home: Path) -> Path:
    return home / "airflow.pgid"


def _group_alive(pgid: int) -> bool:
    # reap members that are our own children (when start() ran in this process, e.g. the demo):
    # a zombie still counts for killpg(pgid, 0) until its parent collects it
    try:
        while os.waitpid(-pgid, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _get(path: str, timeout: float) -> bytes | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port()}{path}", timeout=timeout) as resp:
            return resp.read()
    except (urllib.error.URLError, OSError):
        return None


def health(timeout: float = 3.0) -> dict | None:
    body = _get("/api/v2/monitor/health", timeout)
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def warm_execution_api() -> bool:
    """Have the API server build its task execution API now, not for the first task.

    It builds the API (Cadwyn's versioned routes) at the first request to ``/execution``: ~4 s of
    CPU that the first task of a fresh Airflow waited for in its start call, on a core its work
    needed."""
    return _get("/execution/health", timeout=120) is not None


def _all_healthy(h: dict | None) -> bool:
    if not h:
        return False
    parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
    return all((h.get(p) or {}).get("status") == "healthy" for p in parts)


def running() -> bool:
    """Whether the local Airflow of ``airflow_home()`` is up (its process group is alive)."""
    pgid_file = _pgid_file(airflow_home())
    return pgid_file.exists() and _group_alive(int(pgid_file.read_text()))


def start(wait_seconds: float = 180.0) -> int:
    home = airflow_home()
    pgid_file = _pgid_file(home)
    if running():
        print(f"Airflow is already running (process group {pgid_file.read_text().strip()}).")
        return 0
    env = environment(home)
    (home / "logs").mkdir(parents=True, exist_ok=True)
    pw_file = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    pw_file.write_text(json.dumps({DEFAULT_USER: password(home)}) + "\n")
    pw_file.chmod(0o600)

    print(f"AIRFLOW_HOME={home}\nmigrating the metadata database ...", flush=True)
    _run_airflow(["db", "migrate"], env)
    print("applying airflow_settings.yaml (connections, pools, variables) ...", flush=True)
    apply_settings(env)

    airflow = str(Path(sys.executable).with_name("airflow"))
    pgid = None
    nice = background_nice()
    for name in COMPONENTS:
        log = open(home / "logs" / f"{name}.log", "ab")  # handed to the child, which closes it
        kwargs: dict = {"process_group": 0 if pgid is None else pgid}
        if name in BACKGROUND_COMPONENTS and nice:
            kwargs["preexec_fn"] = functools.partial(os.nice, nice)
        proc = subprocess.Popen(
            [airflow, name], env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=ROOT, **kwargs,
        )
        if pgid is None:
            pgid = os.getpgid(proc.pid)
            pgid_file.write_text(str(pgid))
        print(f"started {name} (pid {proc.pid}, log {home / 'logs' / (name + '.log')})")

    deadline = time.monotonic() + wait_seconds
    h = None
    while time.monotonic() < deadline:
        h = health()
        if _all_healthy(h):
            break
        if not _group_alive(pgid):
            print("Airflow exited during start; see the logs above.", file=sys.stderr)
            return 1
        time.sleep(2)
    else:
        print(f"Airflow did not become healthy in {wait_seconds:.0f}s: {h}", file=sys.stderr)
        stop()
        return 1
    if not warm_execution_api():
        print("the task execution API did not answer; the first task will build it",
              file=sys.stderr)
    print(
        f"\nAirflow is up: http://localhost:{port()}  (login: {DEFAULT_USER} / {password(home)})\n"
        f"Stop it with: make airflow-stop"
    )
    return 0


def stop(grace_seconds: float = 30.0) -> int:
    home = airflow_home()
    pgid_file = _pgid_file(home)
    if not pgid_file.exists():
        print("Airflow is not running (no process group recorded).")
        return 0
    pgid = int(pgid_file.read_text())
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.5)
        if _group_alive(pgid):
            print(f"process group {pgid} ignored SIGTERM for {grace_seconds:.0f}s; killing it")
            os.killpg(pgid, signal.SIGKILL)
            while _group_alive(pgid):
                time.sleep(0.2)
    pgid_file.unlink(missing_ok=True)
    print(f"Airflow stopped (process group {pgid}).")
    return 0


def status() -> int:
    pgid_file = _pgid_file(airflow_home())
    running = pgid_file.exists() and _group_alive(int(pgid_file.read_text()))
    print(json.dumps({"running": running, "health": health()}, indent=2))
    return 0 if running else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status", "env", "apply-settings"])
    args = parser.parse_args(argv)
    if args.command == "start":
        return start()
    if args.command == "stop":
        return stop()
    if args.command == "status":
        return status()
    if args.command == "apply-settings":
        apply_settings(environment())
        return 0
    for key, value in environment().items():
        print(f"export {key}={value!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
