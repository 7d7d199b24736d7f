"""Live progress of the DAG runs the demo started: which DAG and task, rows loaded, dbt nodes
done of total. On a terminal a rich table redrawn in place; otherwise (CI, a pipe) one line
per run whenever it moves on."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from scripts.airflow_client import TERMINAL_STATES, AirflowClient

FINISHED_TASK_STATES = {"success", "failed", "skipped", "upstream_failed", "removed"}
POLL_SECONDS = 2.0


@dataclass
class Run:
    dag_id: str
    run_id: str
    started: float = field(default_factory=time.monotonic)
    state: str = "queued"
    seconds: float = 0.0
    tasks_done: int = 0
    tasks: int = 0
    dbt_done: int = 0
    dbt_nodes: int = 0
    running: list[str] = field(default_factory=list)
    rows: int | None = None  # rows loaded (ingestion runs)

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES

    def detail(self) -> str:
        parts = [f"{self.tasks_done}/{self.tasks} tasks"] if self.tasks else []
        if self.dbt_nodes:
            parts.append(f"dbt nodes {self.dbt_done}/{self.dbt_nodes}")
        if self.rows is not None:
            parts.append(f"{self.rows:,} rows loaded")
        if self.running and not self.finished:
            more = f" +{len(self.running) - 2}" if len(self.running) > 2 else ""
            parts.append("running " + ", ".join(self.running[:2]) + more)
        return " · ".join(parts)


def _is_dbt_node(ti: dict) -> bool:
    """A Cosmos task reporting a dbt node (model, test, snapshot, source), not the producer."""
    operator = str(ti.get("operator") or ti.get("operator_name") or "")
    return operator.startswith("Dbt") and "Producer" not in operator


class RunWatcher:
    """Polls runs until they all finish, showing their progress as it goes."""

    def __init__(self, client: AirflowClient, live: bool | None = None) -> None:
        self.client = client
        self.live = sys.stdout.isatty() if live is None else live
        self._printed: dict[str, tuple] = {}

    def refresh(self, run: Run) -> None:
        run.state = str(self.client.dag_run(run.dag_id, run.run_id)["state"])
        run.seconds = time.monotonic() - run.started
        tis = self.client.task_instances(run.dag_id, run.run_id)
        run.tasks = len(tis)
        run.tasks_done = sum(1 for t in tis if t["state"] in FINISHED_TASK_STATES)
        dbt = [t for t in tis if _is_dbt_node(t)]
        run.dbt_nodes = len(dbt)
        run.dbt_done = sum(1 for t in dbt if t["state"] in FINISHED_TASK_STATES)
        run.running = sorted(t["task_id"] for t in tis if t["state"] == "running")
        if run.rows is None and run.dag_id.startswith("c360_ingest_"):
            load = next((t for t in tis if t["task_id"] == "load"), None)
            if load and load["state"] == "success":
                value = self.client.xcom(run.dag_id, run.run_id, "load")
                run.rows = int(value.get("rows", 0)) if isinstance(value, dict) else 0

    def wait(self, title: str, runs: list[Run], timeout: float = 3600.0) -> list[Run]:
        deadline = time.monotonic() + timeout
        if self.live:
            from rich.live import Live

            with Live(self._table(title, runs), refresh_per_second=2) as live:
                self._loop(runs, deadline, lambda: live.update(self._table(title, runs)))
        else:
            print(f"== {title}", flush=True)
            self._loop(runs, deadline, lambda: self._lines(runs))
        return runs

    def _loop(self, runs: list[Run], deadline: float, show) -> None:
        while True:
            for run in runs:
                if not run.finished:
                    self.refresh(run)
            show()
            if all(r.finished for r in runs):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"runs not finished: {[r.dag_id for r in runs]}")
            time.sleep(POLL_SECONDS)

    def _lines(self, runs: list[Run]) -> None:
        for run in runs:
            key = (run.state, run.tasks_done, run.dbt_done, run.rows)
            if self._printed.get(run.run_id) != key:
                self._printed[run.run_id] = key
                print(f"   {run.dag_id:<30} {run.state:<8} {run.seconds:>5.0f}s  {run.detail()}",
                      flush=True)

    @staticmethod
    def _table(title: str, runs: list[Run]):
        from rich.table import Table

        table = Table(title=title, title_justify="left", expand=False)
        table.add_column("DAG")
        table.add_column("state")
        table.add_column("time", justify="right")
        table.add_column("progress")
        colours = {"success": "green", "failed": "red", "running": "yellow"}
        for run in runs:
            table.add_row(run.dag_id, f"[{colours.get(run.state, 'white')}]{run.state}",
                          f"{run.seconds:.0f}s", run.detail())
        return table
