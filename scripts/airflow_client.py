"""A small client for the local Airflow's REST API (v2): log in, unpause, trigger, wait.

Used by the demo (`make demo`) and by the tests that drive the real scheduler.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime

TERMINAL_STATES = {"success", "failed"}
DB_ERROR = '"reason":"Database error"'  # the API's answer to an OperationalError
DB_ERROR_RETRIES = 5


class AirflowApiError(RuntimeError):
    pass


@dataclass
class AirflowClient:
    """``password``: the local Airflow's is ``scripts.local_airflow.password(home)``."""

    base_url: str
    password: str = field(repr=False)
    username: str = "admin"
    _token: str | None = field(default=None, repr=False)

    def _request(self, method: str, path: str, body: dict | None = None, auth: bool = True) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", f"Bearer {self.token()}")
        for attempt in range(DB_ERROR_RETRIES + 1):
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    raw = resp.read()
                break
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode(errors="replace")[:500]
                # the local SQLite metadata database was locked by the scheduler: the request's
                # transaction was rolled back, so asking again is safe
                if exc.code == 500 and DB_ERROR in detail and attempt < DB_ERROR_RETRIES:
                    time.sleep(2 * (attempt + 1))
                    continue
                raise AirflowApiError(f"{method} {path} -> HTTP {exc.code}: {detail}") from exc
        return json.loads(raw) if raw else {}

    def token(self) -> str:
        if self._token is None:
            resp = self._request(
                "POST", "/auth/token",
                {"username": self.username, "password": self.password}, auth=False,
            )
            self._token = resp["access_token"]
        return self._token

    def get(self, path: str) -> dict:
        return self._request("GET", path)

    def wait_for_dag(self, dag_id: str, timeout: float = 120.0) -> dict:
        """Wait until the DAG processor has parsed ``dag_id`` and return it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.get(f"/api/v2/dags/{dag_id}")
            except AirflowApiError as exc:
                if "HTTP 404" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(2)

    def set_variable(self, key: str, value: str) -> None:
        """Create or update an Airflow Variable."""
        try:
            self._request("PATCH", f"/api/v2/variables/{urllib.request.quote(key, safe='')}",
                          {"key": key, "value": value})
        except AirflowApiError as exc:
            if "HTTP 404" not in str(exc):
                raise
            self._request("POST", "/api/v2/variables", {"key": key, "value": value})

    def unpause(self, dag_id: str) -> None:
        self._request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def pause(self, dag_id: str) -> None:
        self._request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": True})

    def fail_run(self, dag_id: str, run_id: str) -> None:
        """Mark a run failed: the scheduler stops its running tasks."""
        run = urllib.request.quote(run_id, safe="")
        self._request("PATCH", f"/api/v2/dags/{dag_id}/dagRuns/{run}", {"state": "failed"})

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value"):
        """A task's XCom value (JSON-decoded), or None when it has none."""
        run = urllib.request.quote(run_id, safe="")
        try:
            value = self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run}/taskInstances/{task_id}/"
                             f"xcomEntries/{key}")["value"]
        except AirflowApiError as exc:
            if "HTTP 404" in str(exc):
                return None
            raise
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def trigger(
        self, dag_id: str, conf: dict | None = None, logical_date: str | None = None
    ) -> str:
        body = {"logical_date": logical_date, "conf": conf or {}}
        return self._request("POST", f"/api/v2/dags/{dag_id}/dagRuns", body)["dag_run_id"]

    def dag_run(self, dag_id: str, run_id: str) -> dict:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns/{urllib.request.quote(run_id, safe='')}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        run = urllib.request.quote(run_id, safe="")
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run}/taskInstances?limit=1000")[
            "task_instances"
        ]

    def clear(self, dag_id: str, run_id: str, task_ids: list[str]) -> list[str]:
        """Clear tasks of a run (as the UI's Clear button): they run again, in a new try."""
        body = {"dry_run": False, "dag_run_id": run_id, "task_ids": task_ids,
                "only_failed": False, "reset_dag_runs": True}
        cleared = self._request("POST", f"/api/v2/dags/{dag_id}/clearTaskInstances", body)
        return [t["task_id"] for t in cleared["task_instances"]]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 600.0,
                     poll_seconds: float = 2.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.dag_run(dag_id, run_id)["state"]
            if state in TERMINAL_STATES:
                return state
            time.sleep(poll_seconds)
        raise TimeoutError(f"{dag_id} run {run_id} not finished after {timeout:.0f}s")

    def active_runs(self, dag_id: str) -> list[dict]:
        runs = self.get(f"/api/v2/dags/{dag_id}/dagRuns?state=queued&state=running&limit=100")
        return runs["dag_runs"]

    def wait_until_idle(self, dag_ids: list[str], timeout: float = 3600.0) -> None:
        """Wait until none of ``dag_ids`` has a queued or running run (e.g. scheduled ones)."""
        deadline = time.monotonic() + timeout
        while any(self.active_runs(d) for d in dag_ids):
            if time.monotonic() > deadline:
                raise TimeoutError(f"runs of {dag_ids} still active after {timeout:.0f}s")
            time.sleep(3)

    def due_logical_date(self, dag_id: str) -> str | None:
        """The logical date of the DAG's next scheduled run if it is already due, else None.

        Unpausing a DAG whose schedule has a past slot starts that run. Triggering with its
        logical date makes the triggered run take its place: the scheduler never creates a
        second run for a logical date that has one. None as well when a run already took that
        slot (a second trigger with it would be refused: a logical date has one run).
        """
        dag = self.get(f"/api/v2/dags/{dag_id}")
        due = dag.get("next_dagrun_logical_date")
        if not due or datetime.fromisoformat(due.replace("Z", "+00:00")) > datetime.now(UTC):
            return None
        stamp = urllib.request.quote(due, safe="")
        taken = self.get(f"/api/v2/dags/{dag_id}/dagRuns?logical_date_gte={stamp}"
                         f"&logical_date_lte={stamp}")["dag_runs"]
        return None if taken else due

    def start_run(self, dag_id: str, conf: dict | None = None,
                  take_due_run: bool = False) -> str:
        """Trigger and unpause: the run's id (``take_due_run``: as the DAG's due scheduled
        run, see ``due_logical_date``)."""
        self.wait_for_dag(dag_id)
        logical_date = self.due_logical_date(dag_id) if take_due_run else None
        run_id = self.trigger(dag_id, conf, logical_date)
        self.unpause(dag_id)
        return run_id

    def run_dag(self, dag_id: str, conf: dict | None = None, timeout: float = 600.0,
                take_due_run: bool = False) -> str:
        """Unpause, trigger and wait: the final state of the run."""
        return self.wait_for_run(dag_id, self.start_run(dag_id, conf, take_due_run), timeout)
