"""`make demo`: the platform end to end on the embedded default, through the local Airflow,
over two days.

Starts the local Airflow if it is not running, then drives the platform's DAGs through the
REST API, showing each run's progress as it goes (DAG, running tasks, rows loaded, dbt nodes
done of total):

1. the history: generate the seven source systems' exports up to ``--as-of`` (D), set up the
   warehouse, ingest every source (the seven ingestion DAGs side by side), transform as of D
   (dbt layers through Cosmos, ML scoring, publication, the KPI scorecard and the compliance
   export);
2. the next day, through the same DAGs: generate day D+1 (``mode=day``), ingest it, transform
   as of D+1 (fct_transactions merges the day incrementally, the snapshot closes and opens
   versions);
3. ``dbt docs generate --static`` (lineage down to the exposures).

It prints what the second day changed (merge, snapshot, customers, the scorecard's
day-over-day deltas), where the page, the docs and the exports are, and how long each part
took (also in ``<data>/demo/summary.json``). Ctrl-C stops everything it started: the runs it
triggered are marked failed and, if it started Airflow, Airflow is stopped. Otherwise Airflow
keeps running so the runs can be inspected in the UI (``--stop`` stops it at the end).

    python scripts/demo.py [--scale 1.0] [--seed 42] [--as-of YYYY-MM-DD] [--one-day] [--stop]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts import demo_summary, local_airflow  # noqa: E402
from scripts.airflow_client import AirflowClient  # noqa: E402
from scripts.demo_progress import Run, RunWatcher  # noqa: E402

HISTORY_DAYS = 730
TRANSFORM = "c360_transform"
# a manual ingestion run lists its data interval (the day before it was triggered, for the
# weekly products up to two weeks) plus lookback_days: reach the first day to load from there
INTERVAL_SLACK_DAYS = 15


def lookback_days(first_day: date, today: date | None = None) -> int:
    """The ingestion Param ``lookback_days`` that lists every partition from ``first_day`` on,
    whatever the run's date (a history ending long before today included)."""
    today = today or datetime.now(UTC).date()
    return max(0, (today - first_day).days) + INTERVAL_SLACK_DAYS


class Demo:
    """The demo's DAG runs through the REST API; remembers what it started (for Ctrl-C)."""

    def __init__(self, client: AirflowClient, watcher: RunWatcher) -> None:
        self.client = client
        self.watcher = watcher
        self.started: list[Run] = []
        self.seconds: dict[str, float] = {}

    def step(self, title: str, dag_confs: list[tuple[str, dict]]) -> None:
        """Start the runs side by side and wait for them; raise if one failed."""
        from include.c360.sources import SOURCES

        t0 = time.monotonic()
        ingest = {f"c360_ingest_{s.name}" for s in SOURCES}
        runs = []
        for dag_id, conf in dag_confs:
            # the transform's own 02:30 run is due on unpausing: the demo's run takes its place
            run_id = self.client.start_run(dag_id, conf, take_due_run=dag_id == TRANSFORM)
            runs.append(Run(dag_id, run_id))
        self.started += runs
        self.watcher.wait(title, runs)
        if any(d in ingest for d, _ in dag_confs):
            # unpausing started the ingestion DAGs' due scheduled runs too: let them finish
            self.client.wait_until_idle(sorted(ingest))
        if any(d == TRANSFORM for d, _ in dag_confs):
            # paused until the next day's transform: the next day's RAW loads must not trigger
            # a run of their own (the demo triggers it with the day's date)
            self.client.pause(TRANSFORM)
        self.seconds[title] = round(time.monotonic() - t0, 1)
        failed = [r.dag_id for r in runs if r.state != "success"]
        if failed:
            raise RuntimeError(f"{title}: {', '.join(failed)} failed (see the Airflow UI)")

    def stop_started_runs(self) -> list[str]:
        stopped = []
        for run in self.started:
            try:
                if self.client.dag_run(run.dag_id, run.run_id)["state"] not in ("success",
                                                                                 "failed"):
                    self.client.fail_run(run.dag_id, run.run_id)
                    stopped.append(run.dag_id)
            except Exception as exc:  # noqa: BLE001 - stopping what we can
                print(f"could not stop {run.dag_id} {run.run_id}: {exc}", file=sys.stderr)
        return stopped


def ingestion(lookback: int) -> list[tuple[str, dict]]:
    from include.c360.sources import SOURCES

    return [(f"c360_ingest_{s.name}", {"lookback_days": lookback}) for s in SOURCES]


def history(demo: Demo, args: argparse.Namespace) -> None:
    d = args.as_of
    generator = {"mode": "history", "scale": args.scale, "seed": args.seed,
                 "as_of": d.isoformat(), "history_days": HISTORY_DAYS}
    demo.step("generate the history", [("c360_generate_sources", generator)])
    demo.step("set up the warehouse", [("c360_setup", {})])
    first = d - timedelta(days=HISTORY_DAYS)
    demo.step("ingest the history", ingestion(lookback_days(first)))
    demo.step(f"transform as of {d}", [(TRANSFORM, {"as_of_date": d.isoformat()})])


def next_day(demo: Demo, args: argparse.Namespace) -> dict[str, Any]:
    day = args.as_of + timedelta(days=1)
    generator = {"mode": "day", "day": day.isoformat(), "scale": args.scale, "seed": args.seed,
                 "as_of": args.as_of.isoformat(), "history_days": HISTORY_DAYS}
    demo.step(f"generate day {day}", [("c360_generate_sources", generator)])
    demo.step(f"ingest day {day}", ingestion(lookback_days(day)))
    before = demo_summary.before_day2(day)
    demo.step(f"transform as of {day}", [(TRANSFORM, {"as_of_date": day.isoformat()})])
    return before


def docs(as_of: date) -> Path:
    """``dbt docs generate --static`` on the warehouse: one HTML file, no server needed."""
    from include.c360.config import settings
    from include.c360.offline import run_dbt

    s = settings()
    workdir = s.data_dir / "docs"
    run_dbt(s.duckdb_path, workdir, "docs", "generate", "--static",
            dbt_vars={"as_of_date": as_of.isoformat()})
    return workdir / "target" / "static_index.html"


def print_summary(summary: dict[str, Any]) -> None:
    print("\nrows:")
    for table, n in summary["counts"].items():
        print(f"  {table:<34} {n:>12,}")
    two = summary.get("second_day")
    if two:
        m, snap, c = two["merge"], two["snapshot"], two["customers"]
        print(f"\nday {summary['day2']} (incremental):")
        print(f"  fct_transactions merge: {m['rows_before']:,} -> {m['rows_after']:,} rows; of "
              f"the day's {m['day_payments']:,} payments {m['added']:,} added, "
              f"{m['updated']:,} updated (status or value changed), {m['unchanged']:,} "
              "re-processed unchanged")
        print(f"  snap_customer_profile: {snap['closed']:,} versions closed, {snap['opened']:,} "
              f"opened ({snap['versions_before']:,} -> {snap['versions_after']:,}; "
              f"{snap['closed_total']:,} closed in all)")
        print(f"  customers: {c['new']:,} new, {c['ml_segment_changed']:,} changed ML segment, "
              f"{c['rfm_segment_changed']:,} changed RFM segment, "
              f"{c['newly_high_churn_risk']:,} newly above the churn alert line, "
              f"{c['fraud_risk_flag_changed']:,} fraud-risk flag changed, "
              f"{c['account_status_changed']:,} account status and "
              f"{c['kyc_status_changed']:,} KYC status changed")
    card = summary["scorecard"]
    print(f"\nexecutive KPI scorecard as of {card['as_of']} (change vs {card['previous']}):")
    for section in card["sections"]:
        for k in section["kpis"]:
            print(f"  {k['label']:<28} {k['shown']:>14}   {k['change']}")
    w = summary["where"]
    print(f"\nwarehouse:  {w['warehouse']}\nlanding:    {w['landing']}\n"
          f"scorecard:  {w['scorecard']}\nexports:    {w['exports']}\ndbt docs:   {w['docs']}")
    print("\ntimes: " + ", ".join(f"{k} {v:.0f}s" for k, v in summary["seconds"].items()))


def run(args: argparse.Namespace, client: AirflowClient) -> dict[str, Any]:
    from include.c360.config import settings
    from include.c360.landing import landing_zone
    from include.c360.report.export import EXPORT_PREFIX
    from include.c360.report.scorecard import REPORT_PREFIX

    demo = Demo(client, RunWatcher(client, live=args.progress))
    started = time.monotonic()
    summary: dict[str, Any] = {"as_of": args.as_of.isoformat(), "scale": args.scale}
    try:
        history(demo, args)
        summary["history_seconds"] = round(time.monotonic() - started, 1)
        last = args.as_of
        if not args.one_day:
            t0 = time.monotonic()
            before = next_day(demo, args)
            last = args.as_of + timedelta(days=1)
            summary["day2"] = last.isoformat()
            summary["second_day"] = demo_summary.two_days(args.as_of, last, before)
            summary["day2_seconds"] = round(time.monotonic() - t0, 1)
        t0 = time.monotonic()
        docs_index = docs(last)
        summary["docs_seconds"] = round(time.monotonic() - t0, 1)
    except KeyboardInterrupt:
        stopped = demo.stop_started_runs()
        print(f"\ninterrupted: runs marked failed: {stopped or 'none running'}", file=sys.stderr)
        raise
    summary["total_seconds"] = round(time.monotonic() - started, 1)
    summary["seconds"] = {**demo.seconds, "dbt docs generate": summary["docs_seconds"]}
    s, zone = settings(), landing_zone()
    summary["counts"] = demo_summary.counts()
    summary["scorecard"] = demo_summary.scorecard_figures(last)
    summary["where"] = {
        "warehouse": str(s.duckdb_path), "landing": zone.uri,
        "scorecard": f"{zone.uri}/{REPORT_PREFIX}/scorecard.html",
        "exports": f"{zone.uri}/{EXPORT_PREFIX}/", "docs": str(docs_index)}
    summary["summary_file"] = str(demo_summary.write(summary, s.data_dir / "demo" /
                                                     "summary.json"))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the spec's volumes")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", type=date.fromisoformat,
                        default=datetime.now(UTC).date() - timedelta(days=1),
                        help="last day of the generated history (default: yesterday, UTC); "
                             "the second day is the day after")
    parser.add_argument("--one-day", action="store_true", help="the history only")
    parser.add_argument("--stop", action="store_true", help="stop Airflow at the end")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="live progress table (default: when stdout is a terminal)")
    args = parser.parse_args(argv)
    if args.as_of >= datetime.now(UTC).date():
        parser.error(f"--as-of {args.as_of} must be before today (UTC): the sources export "
                     "days that are over")

    ours = not local_airflow.running()
    if local_airflow.start() != 0:
        return 1
    client = AirflowClient(base_url=f"http://127.0.0.1:{local_airflow.port()}",
                           password=local_airflow.password())
    try:
        summary = run(args, client)
    except KeyboardInterrupt:
        if ours:
            print("stopping the Airflow the demo started ...", file=sys.stderr)
            local_airflow.stop()
        return 130
    except RuntimeError as exc:
        print(f"\ndemo FAILED: {exc}", file=sys.stderr)
        if "c360_generate_sources" in str(exc):
            print("(the generator never overwrites an export: if data/landing holds the exports "
                  "of another --seed/--scale/--as-of, `make clean-data` first or pass the same "
                  "ones)", file=sys.stderr)
        if args.stop:
            local_airflow.stop()
        return 1
    client.unpause(TRANSFORM)  # the nightly 02:30 run (and asset-triggered runs) go on
    print_summary(summary)
    print(f"\ndemo finished in {summary['total_seconds']:.0f}s (history "
          f"{summary['history_seconds']:.0f}s, second day {summary.get('day2_seconds', 0):.0f}s,"
          f" docs {summary['docs_seconds']:.0f}s); summary: {summary['summary_file']}")
    print(f"Airflow UI: http://localhost:{local_airflow.port()} "
          f"(login {local_airflow.DEFAULT_USER} / {local_airflow.password()})")
    if args.stop:
        local_airflow.stop()
    else:
        print("Airflow keeps running for you to look around; `make airflow-stop` stops it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
