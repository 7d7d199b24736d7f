"""Benchmark: every stage of the platform at one scale, each beside its floor measured in the
same run, into ONE JSON file and ONE Markdown table (issue 16's acceptance).

    make bench BENCH_ARGS="--scale 1.0"
    PYTHONPATH=. .venv/bin/python benchmarks/bench_all.py --scale 0.01 [--with-dbt-incremental]
        [--demo-summary <data>/demo/summary.json] [--out benchmarks/out/bench-0.01]

1. generation: the landing of ``benchmarks/bench_ingest.py`` (``data/bench_ingest/scale-<s>/``)
   is reused when its marker matches the settings, generated otherwise (figure only);
2. ingestion floor: one hand-written DuckDB statement per source loading every landed file into
   the RAW tables of a fresh DuckDB file (``benchmarks/floor/ingest.sql``);
3. ingestion: the platform's ``ingest_landing`` (the ``ingest()`` every ingestion DAG runs)
   into another fresh file; its RAW row counts must equal the floor's;
4. transform floor: ``benchmarks/floor/transform.sql`` on a copy of that warehouse;
5. ``dbt build --full-refresh`` (every test) on another copy, with its per-node top 10 and the
   peak RSS of the dbt process;
6. with ``--with-dbt-incremental``: bench_dbt's one-day increment (a synthetic day) after it;
7. with ``--demo-summary``: the stage figures of a finished ``make demo`` (no Airflow here).

Targets are the issue's, for scale 1.0, printed as given at any scale. Figures only; nothing here
asserts a timing. The warehouses go to ``--workdir`` (default ``data/bench/scale-<s>``) and are
deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_dbt import INCREMENTAL_DAY, _dbt, _synthetic_day  # noqa: E402
from benchmarks.bench_ingest import add_landing_args, default_data_dir, ensure_landing  # noqa: E402

FLOOR_DIR = ROOT / "benchmarks" / "floor"
# issue 16, Acceptance: the targets at scale 1.0 (seconds)
INGEST_TARGET_S = 30.0
DBT_TARGET_S = 45.0
MAIN_JOB_TARGET_S = 180.0
TRANSFORM_DAG_TARGET_S = 75.0
NEXT_DAY_TARGET_S = 45.0
TOP_NODES = 10
# the two floors' rows of the table, named by the stages compared with them
INGEST_FLOOR = "ingestion floor (one DuckDB statement per source)"
TRANSFORM_FLOOR = "transform floor (hand-written DuckDB SQL, heavy transforms once)"

log = logging.getLogger(__name__)


@dataclass
class Stage:
    """One row of the table: a stage's figure, its target and the floor it is compared with."""

    stage: str
    seconds: float | None
    figure: str
    target_s: float | None = None
    floor: str | None = None  # the stage whose seconds are this one's floor
    detail: dict[str, Any] = field(default_factory=dict)


# -- the floors' SQL -----------------------------------------------------------------------------
def render_floor(name: str, **context: Any) -> str:
    """``benchmarks/floor/<name>`` rendered with the ingestion templates' macros (``sql_type``,
    ``lit``, ``sources`` ...: include/c360/ingest/sql.py) plus ``context``."""
    import jinja2

    from include.c360.ingest.sql import template_macros

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(FLOOR_DIR)),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             autoescape=False)  # SQL, not HTML
    env.globals.update(template_macros())
    return env.get_template(name).render(**context)


def _timed_statements(con: Any, sql: str) -> list[tuple[str, float]]:
    """Run each statement of ``sql``; (its first line of SQL, seconds) per statement."""
    from include.c360.warehouse.sql import split_statements

    out = []
    for stmt in split_statements(sql):
        t = time.perf_counter()
        con.execute(stmt)
        head = next(x for x in stmt.splitlines() if x.strip() and not x.startswith("--"))
        out.append((head[:80], time.perf_counter() - t))
    return out


def landed_files(landing: Path) -> dict[str, list[str]]:
    """Each source's landed files (paths under ``landing``, in landing-key order)."""
    from include.c360.landing import LocalLandingZone
    from include.c360.sources import SOURCES

    zone = LocalLandingZone(landing)
    return {s.name: [str(landing / f.key) for f in zone.list(f"{s.name}/")] for s in SOURCES}


def raw_counts(db: Path) -> dict[str, int]:
    """Rows of each source's RAW table."""
    from include.c360.sources import SOURCES
    from include.c360.warehouse.connections import duckdb_connection

    con = duckdb_connection(db, read_only=True)
    try:
        return {s.name: con.execute(f"select count(*) from raw.{s.name}").fetchone()[0]
                for s in SOURCES}
    finally:
        con.close()


def floor_ingest(landing: Path, db: Path) -> tuple[float, dict[str, float]]:
    """The ingestion floor into a fresh ``db``: the platform's RAW tables (its setup.sql), then
    ``floor/ingest.sql``, one statement per source. Seconds in all and per source."""
    from include.c360.ingest.config import IngestConfig
    from include.c360.ingest.duckdb_loader import DuckDBLoader
    from include.c360.sources import SOURCES
    from include.c360.warehouse.connections import duckdb_connection

    _fresh(db)
    with DuckDBLoader(db, IngestConfig()) as wh:
        wh.setup()
    sql = render_floor("ingest.sql", files=landed_files(landing), landing=str(landing),
                       loaded_at=datetime.now(UTC).replace(tzinfo=None, microsecond=0))
    con = duckdb_connection(db)
    try:
        t = time.perf_counter()
        timings = _timed_statements(con, sql)
        seconds = time.perf_counter() - t
    finally:
        con.close()
    if len(timings) != len(SOURCES):
        raise RuntimeError(f"floor/ingest.sql: {len(timings)} statements, expected one per "
                           f"source ({len(SOURCES)})")
    return seconds, {s.name: round(dt, 3) for s, (_, dt) in zip(SOURCES, timings, strict=True)}


def floor_transform(db: Path, as_of: date) -> tuple[float, list[dict[str, Any]]]:
    """``floor/transform.sql`` on ``db`` (a copy of the loaded warehouse): seconds in all and
    per statement (with the rows of each table it creates)."""
    import yaml

    from include.c360.warehouse.connections import duckdb_connection
    from include.c360.warehouse.sql import sql_literal

    dbt_vars = yaml.safe_load((ROOT / "dbt" / "dbt_project.yml").read_text())["vars"]
    sql = render_floor("transform.sql", as_of=sql_literal(as_of), v=dbt_vars,
                       seeds=str(ROOT / "dbt" / "seeds"))
    con = duckdb_connection(db)
    try:
        t = time.perf_counter()
        timings = _timed_statements(con, sql)
        seconds = time.perf_counter() - t
        steps = []
        for head, dt in timings:
            made = re.match(r"create table (\S+)", head)
            rows = (con.execute(f"select count(*) from {made[1]}").fetchone()[0] if made
                    else None)
            steps.append({"statement": head, "seconds": round(dt, 3), "rows": rows})
    finally:
        con.close()
    return seconds, steps


# -- the platform's own stages -------------------------------------------------------------------
def _fresh(db: Path) -> None:
    for f in (db, Path(f"{db}.wal")):
        f.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)


def _copy(src: Path, dst: Path) -> None:
    _fresh(dst)
    shutil.copyfile(src, dst)


@contextmanager
def peak_child_rss():
    """The peak RSS (bytes) of this process's children (summed over the tree), sampled every
    0.1 s while the block runs: ``with peak_child_rss() as peak: ...; peak["bytes"]``."""
    import psutil

    me, peak, done = psutil.Process(), {"bytes": 0}, threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            peak["bytes"] = max(peak["bytes"], total)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def dbt_full_build(db: Path, workdir: Path, as_of: date) -> Stage:
    """``dbt build --full-refresh`` (bench_dbt's call), its node counts by type and per-node
    top 10 (run_results.json), and the peak RSS of the dbt process."""
    with peak_child_rss() as peak:
        timing = _dbt(db, workdir, "dbt build --full-refresh", "build", "--full-refresh",
                      "--vars", json.dumps({"as_of_date": as_of.isoformat()}))
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    kinds: dict[str, int] = {}
    for r in results:
        kind = r["unique_id"].split(".")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    top = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:TOP_NODES]
    kind_text = ", ".join(f"{n} {k}s" for k, n in sorted(kinds.items(), key=lambda x: -x[1]))
    return Stage("dbt build --full-refresh (every test)", timing.seconds,
                 f"{timing.seconds:.1f} s, {timing.nodes} nodes ({kind_text}); "
                 f"peak RSS {peak['bytes'] / 2**30:.2f} GiB",
                 DBT_TARGET_S, TRANSFORM_FLOOR,
                 {"nodes": timing.nodes, "nodes_by_type": kinds,
                  "peak_rss_bytes": peak["bytes"],
                  "top_nodes": [{"unique_id": r["unique_id"], "status": r["status"],
                                 "seconds": round(r["execution_time"], 3)} for r in top]})


def dbt_increment(db: Path, workdir: Path, as_of: date) -> Stage:
    """bench_dbt's one-day increment after the full build: a synthetic next day of payments
    and clickstream in RAW, then the incremental day's build."""
    added = _synthetic_day(db, as_of)
    nxt = as_of + timedelta(days=1)
    timing = _dbt(db, workdir, "incremental day", "build", "--select", *INCREMENTAL_DAY,
                  "--vars", json.dumps({"as_of_date": nxt.isoformat()}))
    return Stage("dbt incremental day (synthetic day; build " + " ".join(INCREMENTAL_DAY) + ")",
                 timing.seconds,
                 f"{timing.seconds:.1f} s, {timing.nodes} nodes, "
                 f"{sum(added.values()):,} rows added",
                 detail={"nodes": timing.nodes, "rows_added": added})


def demo_stages(path: Path, scale: float) -> list[Stage]:
    """The figures of a finished main job (``scripts/demo.py``'s ``<data>/demo/summary.json``):
    total, ingestion and transform of the history, the next day. Compared with this run's
    floors only when the demo ran at this scale."""
    summary = json.loads(path.read_text())
    same = float(summary.get("scale", -1)) == scale
    where = f"demo at scale {summary.get('scale')}, as of {summary.get('as_of')}"
    seconds = summary.get("seconds", {})
    out = [Stage(f"main job (make demo): total ({where})", summary.get("total_seconds"),
                 _s(summary.get("total_seconds")), MAIN_JOB_TARGET_S)]
    for title, secs in seconds.items():
        target, floor = None, None
        if title == "ingest the history":
            target, floor = INGEST_TARGET_S, INGEST_FLOOR
        elif title == f"transform as of {summary.get('as_of')}":
            target, floor = TRANSFORM_DAG_TARGET_S, TRANSFORM_FLOOR
        out.append(Stage(f"main job: {title}", secs, _s(secs), target,
                         floor if same else None))
    if "day2_seconds" in summary:
        out.append(Stage(f"main job: next-day increment {summary.get('day2')} (generate, "
                         "ingest, transform)", summary["day2_seconds"],
                         _s(summary["day2_seconds"]), NEXT_DAY_TARGET_S))
    return out


# -- the record ----------------------------------------------------------------------------------
def _s(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.1f} s"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def ratios(stages: list[Stage]) -> dict[str, float]:
    """Each stage's seconds over its floor's seconds (stages that have a measured floor)."""
    by_name = {s.stage: s.seconds for s in stages}
    return {s.stage: s.seconds / by_name[s.floor] for s in stages
            if s.floor and s.seconds is not None and by_name.get(s.floor)}


def markdown(stages: list[Stage], env: dict[str, Any]) -> str:
    scale = env["scale"]
    note = "" if scale == 1.0 else " (target at scale 1.0)"
    ratio = ratios(stages)
    lines = [f"Scale {scale:g} ({env['raw_rows']:,} RAW rows), git {env['git_head'][:10]}"
             f"{' (uncommitted changes)' if env['git_dirty'] else ''}, {env['cpus']} cores, "
             f"load average {env['load_start'][0]:.1f} at start / {env['load_end'][0]:.1f} at "
             f"end, {env['finished_at']}.", "",
             "| stage | figure | target | vs floor |", "|---|---|---|---|"]
    for s in stages:
        target = f"≤ {s.target_s:.0f} s{note}" if s.target_s is not None else "–"
        vs = (f"{ratio[s.stage]:.1f}x the {s.floor.split(' (')[0]}" if s.stage in ratio
              else "(floor)" if any(o.floor == s.stage for o in stages) else "–")
        lines.append(f"| {s.stage} | {s.figure} | {target} | {vs} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_landing_args(p)
    p.add_argument("--workdir", type=Path, default=None,
                   help="the warehouses and dbt's target (default: data/bench/scale-<scale>)")
    p.add_argument("--out", type=Path, default=None,
                   help="JSON and Markdown path without suffix (default: "
                        "benchmarks/out/bench-<scale>)")
    p.add_argument("--with-dbt-incremental", action="store_true",
                   help="also bench_dbt's one-day increment after the full build")
    p.add_argument("--demo-summary", type=Path, default=None,
                   help="a finished main job's <data>/demo/summary.json")
    p.add_argument("--keep", action="store_true", help="keep the warehouses in --workdir")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.demo_summary is not None and not args.demo_summary.is_file():
        raise SystemExit(f"--demo-summary: no file {args.demo_summary}")

    from include.c360.offline import ingest_landing

    scale = args.scale
    work = args.workdir or ROOT / "data" / "bench" / f"scale-{scale:g}"
    out = args.out or ROOT / "benchmarks" / "out" / f"bench-{scale:g}"
    env: dict[str, Any] = {
        "scale": scale, "seed": args.seed, "as_of": args.as_of.isoformat(),
        "history_days": args.history_days, "git_head": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain")), "cpus": os.cpu_count(),
        "load_start": os.getloadavg(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    stages: list[Stage] = []

    data = args.data_dir or default_data_dir(scale)
    landing, cfg, generated = ensure_landing(data, scale, args.seed, args.as_of,
                                             args.history_days, regenerate=args.regenerate)
    files = landed_files(landing)
    n_files = sum(len(v) for v in files.values())
    mb = sum(Path(f).stat().st_size for v in files.values() for f in v) / 1e6
    where = data.relative_to(ROOT) if data.is_relative_to(ROOT) else data
    if generated is None:
        stages.append(Stage(f"generation (reused the landing of {where})", None,
                            f"reused: {n_files:,} files, {mb:,.0f} MB"))
    else:
        stages.append(Stage(f"generation (into {where})", generated["seconds"],
                            f"{generated['seconds']:.1f} s, {generated['rows']:,} rows, "
                            f"{n_files:,} files, {mb:,.0f} MB", detail=generated))
    print(stages[-1].stage + ": " + stages[-1].figure, flush=True)

    floor_db, platform_db = work / "floor_raw.duckdb", work / "platform.duckdb"
    transform_db, dbt_db = work / "floor_transform.duckdb", work / "dbt" / "dbt.duckdb"
    try:
        seconds, per_source = floor_ingest(landing, floor_db)
        floor_rows = raw_counts(floor_db)
        stages.append(Stage(INGEST_FLOOR, seconds,
                            f"{seconds:.1f} s, {sum(floor_rows.values()):,} rows",
                            detail={"rows": floor_rows, "seconds_per_source": per_source}))
        print(stages[-1].stage + ": " + stages[-1].figure, flush=True)
        floor_db.unlink()

        _fresh(platform_db)
        t = time.perf_counter()
        rows = ingest_landing(landing, platform_db, cfg.history_start, cfg.as_of)
        seconds = time.perf_counter() - t
        same = rows == floor_rows
        stages.append(Stage("ingestion (ingest_landing: the DAGs' ingest(), 7 sources)", seconds,
                            f"{seconds:.1f} s, {sum(rows.values()):,} rows"
                            f"{'' if same else ' (NOT the floor row counts)'}",
                            INGEST_TARGET_S, INGEST_FLOOR,
                            {"rows": rows, "rows_equal_floor": same}))
        print(stages[-1].stage + ": " + stages[-1].figure, flush=True)
        env["raw_rows"] = sum(rows.values())

        _copy(platform_db, transform_db)
        seconds, steps = floor_transform(transform_db, cfg.as_of)
        tables = sum(1 for s in steps if s["statement"].startswith("create table"))
        stages.append(Stage(TRANSFORM_FLOOR, seconds, f"{seconds:.1f} s, {tables} tables",
                            detail={"statements": steps}))
        print(stages[-1].stage + ": " + stages[-1].figure, flush=True)
        transform_db.unlink()

        _copy(platform_db, dbt_db)
        platform_db.unlink()
        stages.append(dbt_full_build(dbt_db, dbt_db.parent, cfg.as_of))
        print(stages[-1].stage + ": " + stages[-1].figure, flush=True)
        if args.with_dbt_incremental:
            stages.append(dbt_increment(dbt_db, dbt_db.parent, cfg.as_of))
            print(stages[-1].stage + ": " + stages[-1].figure, flush=True)
    finally:
        if not args.keep:
            for f in (floor_db, platform_db, transform_db, dbt_db):
                for g in (f, Path(f"{f}.wal")):
                    g.unlink(missing_ok=True)

    if args.demo_summary is not None:
        stages += demo_stages(args.demo_summary, scale)

    env["load_end"] = os.getloadavg()
    env["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    env["peak_rss_self_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    env["duckdb"] = __import__("duckdb").__version__
    table = markdown(stages, env)
    ratio = ratios(stages)
    record = {"environment": env, "targets_at_scale": 1.0,
              "stages": [{**asdict(s), "ratio_to_floor": ratio.get(s.stage)} for s in stages]}
    out.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{out}.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
    Path(f"{out}.md").write_text(table)
    print("\n" + table)
    print(f"written: {out}.json, {out}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
