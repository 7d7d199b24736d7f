"""Benchmark: load the generator's full history into a fresh DuckDB warehouse, then re-run.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_ingest.py [--scale 1.0] [--data-dir DIR]

Generates the history (``include.c360.generator``) into ``<data-dir>/landing`` unless it is
already there, loads every source's whole history window with the ingestion code the DAGs
run (one catch-up run per source), prints rows/s per source and in total, then the cost of a
no-op re-run of every source. Targets (full scale): history <= 60 s, no-op re-run <= 2 s.
Figures only; nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HISTORY_TARGET_S = 60.0
NOOP_TARGET_S = 2.0


def default_data_dir(scale: float) -> Path:
    """Where the benchmarks keep the landing of a scale: ``data/bench_ingest/scale-<scale>``."""
    return ROOT / "data" / "bench_ingest" / f"scale-{scale:g}"


def add_landing_args(p: argparse.ArgumentParser) -> None:
    """The options of the landing ``ensure_landing`` makes or reuses (every benchmark's)."""
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 24))
    p.add_argument("--history-days", type=int, default=730)
    p.add_argument("--data-dir", type=Path, default=None,
                   help="the landing's folder (default: data/bench_ingest/scale-<scale>)")
    p.add_argument("--regenerate", action="store_true", help="rewrite the landing zone")


def ensure_landing(data: Path, scale: float, seed: int, as_of: date, history_days: int,
                   regenerate: bool = False) -> tuple[Path, Any, dict[str, Any] | None]:
    """The generator's history in ``<data>/landing``, reused when ``<data>/generated.json``
    says it was generated with these settings, otherwise (or with ``regenerate``) written
    again. Returns the landing folder, the GeneratorConfig, and ``{"rows", "files",
    "seconds"}`` when it generated (None when it reused the landing)."""
    from include.c360.generator import GeneratorConfig, generate_history

    landing = data / "landing"
    marker = data / "generated.json"
    cfg = GeneratorConfig(seed=seed, scale=scale, as_of=as_of, history_days=history_days)
    wanted = {"seed": seed, "scale": scale, "as_of": str(as_of), "history_days": history_days}
    if not regenerate and marker.exists() and json.loads(marker.read_text()) == wanted:
        return landing, cfg, None
    shutil.rmtree(landing, ignore_errors=True)
    marker.unlink(missing_ok=True)
    t = time.perf_counter()
    summary = generate_history(cfg, str(landing), ground_truth_dir=data / "ground_truth")
    seconds = time.perf_counter() - t
    marker.write_text(json.dumps(wanted))
    return landing, cfg, {"rows": summary.rows, "files": summary.files, "seconds": seconds}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_landing_args(p)
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from include.c360.ingest.config import IngestConfig
    from include.c360.ingest.duckdb_loader import DuckDBLoader
    from include.c360.ingest.run import ingest
    from include.c360.landing import LocalLandingZone
    from include.c360.sources import SOURCES

    data = args.data_dir or default_data_dir(args.scale)
    landing, _, generated = ensure_landing(data, args.scale, args.seed, args.as_of,
                                           args.history_days, regenerate=args.regenerate)
    if generated is not None:
        print(f"generated scale {args.scale:g}: {generated['rows']:,} rows in "
              f"{generated['files']:,} files in {generated['seconds']:.1f} s")

    db = data / "warehouse.duckdb"
    for f in (db, Path(f"{db}.wal")):
        f.unlink(missing_ok=True)
    zone = LocalLandingZone(landing)
    start = datetime.combine(args.as_of - timedelta(days=args.history_days - 1),
                             datetime.min.time(), UTC)
    end = datetime.combine(args.as_of, datetime.min.time(), UTC) + timedelta(days=1)
    config = IngestConfig(lookback_days=0)
    mb = sum(f.size for f in zone.list()) / 1e6

    print(f"\nfull history load into a fresh DuckDB file ({mb:,.0f} MB of exports)")
    print(f"{'source':<16}{'files':>7}{'rows':>12}{'seconds':>9}{'rows/s':>12}")
    total_rows, total_files = 0, 0
    with DuckDBLoader(db, config) as wh:
        wh.setup()
        t_all, cpu_all = time.perf_counter(), time.process_time()
        for src in SOURCES:
            t = time.perf_counter()
            r = ingest(src, start, end, zone=zone, wh=wh, config=config, run_id="bench")
            dt = time.perf_counter() - t
            if r.errors:
                print(f"  {src.name}: {len(r.errors)} bad files: {r.errors[0]}")
            total_rows += r.rows
            total_files += len(r.loaded)
            print(f"{src.name:<16}{len(r.loaded):>7,}{r.rows:>12,}{dt:>9.2f}{r.rows / dt:>12,.0f}")
        load_s = time.perf_counter() - t_all
        cpu_s = time.process_time() - cpu_all
        print(f"{'TOTAL':<16}{total_files:>7,}{total_rows:>12,}{load_s:>9.2f}"
              f"{total_rows / load_s:>12,.0f}")

        t = time.perf_counter()
        reloaded = 0
        for src in SOURCES:
            reloaded += len(ingest(src, start, end, zone=zone, wh=wh, config=config,
                                   run_id="bench-rerun").loaded)
        noop_s = time.perf_counter() - t
        raw = sum(wh.con.execute(f"select count(*) from raw.{s.name}").fetchone()[0]
                  for s in SOURCES)

    print(f"\nCPU time of the load (all threads): {cpu_s:.1f} s on {os.cpu_count()} cores; "
          f"load average now {os.getloadavg()[0]:.1f} (other processes share the machine)")
    print(f"no-op re-run of all {len(SOURCES)} sources: {noop_s:.2f} s, files reloaded: "
          f"{reloaded}, RAW rows still {raw:,} (loaded {total_rows:,})")
    full = args.scale >= 1.0
    scale_note = "" if full else f" (at scale {args.scale:g}; the targets are for scale 1.0)"
    print(f"history load {load_s:.1f} s vs target {HISTORY_TARGET_S:.0f} s: "
          f"{'PASS' if load_s <= HISTORY_TARGET_S else 'FAIL'}{scale_note}")
    print(f"no-op re-run {noop_s:.2f} s vs target {NOOP_TARGET_S:.0f} s: "
          f"{'PASS' if noop_s <= NOOP_TARGET_S else 'FAIL'}{scale_note}")
    print(f"idempotent: {'PASS' if reloaded == 0 and raw == total_rows else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
