"""CLI: ``python -m include.c360.generator [--day D] --scale S --seed N --as-of D --out URI``."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date, timedelta

from include.c360.generator.api import generate_days, generate_history, tqdm_progress
from include.c360.generator.config import GeneratorConfig
from include.c360.sources import SOURCES


def _date(s: str) -> date:
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {s!r}") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m include.c360.generator",
        description="Generate the seven synthetic source exports into the landing zone: the "
        "history backfill, or with --day one daily increment of the same world.")
    p.add_argument("--scale", type=float, default=1.0,
                   help="1.0 = the spec's volumes (270K customers, 1.2M orders, ...)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--as-of", type=_date, required=True,
                   help="last day of the history (the world is defined by seed/scale/as-of)")
    p.add_argument("--history-days", type=int, default=730)
    p.add_argument("--horizon-days", type=int, default=120,
                   help="days after --as-of that increments can be generated for")
    p.add_argument("--day", type=_date, default=None,
                   help="write only the increment landing on this day (after --as-of)")
    p.add_argument("--until", type=_date, default=None,
                   help="with --day: write the increments of --day .. --until (inclusive), "
                   "simulating the world once")
    p.add_argument("--out", default=None,
                   help="landing zone: a folder or s3://bucket/prefix (default: C360_LANDING)")
    p.add_argument("--ground-truth-dir", default=None,
                   help="default: settings().ground_truth_dir (data/ground_truth)")
    p.add_argument("--sources", default=None,
                   help="comma-separated subset of: " + ",".join(s.name for s in SOURCES))
    p.add_argument("--no-progress", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cfg = GeneratorConfig(seed=args.seed, scale=args.scale, as_of=args.as_of,
                              history_days=args.history_days, horizon_days=args.horizon_days)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    sources = args.sources.split(",") if args.sources else None
    progress = None if args.no_progress else tqdm_progress
    try:
        if args.day is None:
            if args.until is not None:
                raise ValueError("--until needs --day")
            summaries = [generate_history(cfg, args.out, sources=sources, progress=progress,
                                          ground_truth_dir=args.ground_truth_dir)]
        else:
            last = args.until or args.day
            if last < args.day:
                raise ValueError(f"--until {last} is before --day {args.day}")
            days = [args.day + timedelta(days=i) for i in range((last - args.day).days + 1)]
            summaries = generate_days(cfg, days, args.out, sources=sources, progress=progress)
    except (ValueError, KeyError, PermissionError, FileExistsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for summary in summaries:
        what = "history" if summary.day is None else f"increment {summary.day}"
        print(f"\n{what} -> {summary.landing}")
        print(summary.table())
        if summary.ground_truth_dir:
            print(f"ground truth -> {summary.ground_truth_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
