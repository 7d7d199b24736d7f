"""Python API: ``generate_history`` (initial backfill) and ``generate_day`` (one increment).

Both simulate the same world from the config and write the slice of it that lands in their
period, source by source (bounded memory), through ``landing_zone(uri)``. History: one file per
source per day (``file_key(day)``), products one full catalog at ``as_of``. Increment for day
D: daily files for the batch sources, 24 hourly files for events and for transactions
(micro-batches), and a full products export when D is a Monday.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from include.c360.generator import (
    clickstream,
    crm,
    helpdesk,
    marketing,
    oms,
    payments,
)
from include.c360.generator import export as X
from include.c360.generator.catalog import products_table
from include.c360.generator.config import GeneratorConfig, day_date, day_number
from include.c360.generator.ground_truth import write_ground_truth
from include.c360.generator.world import Frame, World
from include.c360.sources import SOURCES, Source, source

log = logging.getLogger(__name__)

GROUND_TRUTH_FILES = ("customers.parquet", "fraud_transactions.parquet", "manifest.json")


@dataclass
class SourceSummary:
    source: str
    rows: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    keys: list[str] = field(default_factory=list)


@dataclass
class Summary:
    config: GeneratorConfig
    mode: str  # history | day
    day: date | None
    landing: str
    sources: list[SourceSummary]
    ground_truth_dir: str | None = None

    rows = property(lambda self: sum(s.rows for s in self.sources))
    bytes = property(lambda self: sum(s.bytes for s in self.sources))
    files = property(lambda self: sum(s.files for s in self.sources))
    seconds = property(lambda self: sum(s.seconds for s in self.sources))

    def by_source(self) -> dict[str, SourceSummary]:
        return {s.source: s for s in self.sources}

    def table(self) -> str:
        lines = [f"{'source':<16}{'rows':>12}{'files':>8}{'MB':>10}{'seconds':>9}{'rows/s':>11}"]
        for s in [*self.sources, SourceSummary("TOTAL", self.rows, self.files, self.bytes,
                                               self.seconds)]:
            rate = s.rows / s.seconds if s.seconds else 0.0
            lines.append(f"{s.source:<16}{s.rows:>12,}{s.files:>8,}{s.bytes / 1e6:>10.1f}"
                         f"{s.seconds:>9.1f}{rate:>11,.0f}")
        return "\n".join(lines)


ProgressFactory = Callable[[str, int], Any]


def _no_progress(name: str, total: int):
    class _P:
        def update(self, n: int = 1) -> None: ...
        def close(self) -> None: ...
    return _P()


def tqdm_progress(name: str, total: int):
    from tqdm import tqdm

    return tqdm(total=total, desc=f"{name:<16}", unit="file", leave=True)


# The source system simulating each exported source (products: a full catalog, no frame).
SYSTEMS = {"customers": crm, "orders": oms, "campaigns": marketing, "transactions": payments,
           "events": clickstream, "support_tickets": helpdesk}
# sources in generation order: orders before campaigns (conversions), products any time
ORDER = ("customers", "products", "orders", "campaigns", "transactions", "events",
         "support_tickets")


def _frame(w: World, name: str) -> tuple[Frame, Callable[[int, int], Any]]:
    """A source's frame and the function turning a row range of it into an Arrow table."""
    fr, make_table = SYSTEMS[name].export(w)
    return fr, lambda lo, hi: make_table({k: v[lo:hi] for k, v in fr.cols.items()})


def _release(w: World, name: str) -> None:
    """Drop world stages no later source needs, to bound memory."""
    if name == "customers":
        w.__dict__.pop("_contact_strings", None)
    if name == "campaigns":
        for k in ("campaigns", "converted", "_campaign_names"):
            w.__dict__.pop(k, None)
    if name == "transactions":
        w.__dict__.pop("orders", None)


def synthetic_zone(out: str | None):
    """The landing zone the generator may write to: a local folder, or an ``s3://`` one only
    when ``C360_SYNTHETIC_LANDING`` lists it (marked as holding only synthetic data), so a
    production landing zone is never written to by mistake."""
    from include.c360.config import synthetic_landing_uris
    from include.c360.landing import LocalLandingZone, landing_zone

    lz = landing_zone(out)
    if not isinstance(lz, LocalLandingZone) and lz.uri.rstrip("/") not in synthetic_landing_uris():
        raise PermissionError(
            f"refusing to write synthetic exports into {lz.uri}: the generator writes only to a "
            f"local folder or to a landing zone marked synthetic (C360_SYNTHETIC_LANDING="
            f"{lz.uri.rstrip('/')}); a production landing zone must never receive them")
    return lz


def _selected(only: Iterable[str] | None) -> list[str]:
    if only is None:
        return list(ORDER)
    wanted = set(only)
    unknown = wanted - {s.name for s in SOURCES}
    if unknown:
        raise KeyError(f"unknown source(s) {sorted(unknown)}; known: {list(ORDER)}")
    return [n for n in ORDER if n in wanted]


def generate_history(config: GeneratorConfig, out: str | None = None, *,
                     sources: Iterable[str] | None = None,
                     ground_truth_dir: str | Path | None = None,
                     progress: ProgressFactory | None = None,
                     on_source_done: Callable[[SourceSummary], None] | None = None) -> Summary:
    """Write the initial backfill: every day from ``as_of - history_days + 1`` to ``as_of``."""
    lz = synthetic_zone(out)
    progress = progress or _no_progress
    w = World(config)
    days = list(range(w.start, w.as_of + 1))
    results = []
    for name in _selected(sources):
        src = source(name)
        t0 = time.perf_counter()
        ss = SourceSummary(name)
        if name == "products":
            bar = progress(name, 1)
            _write(lz, src, src.file_key(config.as_of), products_table(w, w.as_of), ss)
            bar.update()
        else:
            fr, make = _frame(w, name)
            bar = progress(name, len(days))
            # one writer thread encodes/compresses a chunk's files while the next chunk is
            # built (zlib and Arrow release the GIL); at most one chunk waits, bounding memory
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="c360-writer") as pool:
                pending: list[Future] = []
                for lo, hi, parts in X.day_slices(fr, days):
                    table = make(lo, hi)
                    for f in pending:
                        f.result()
                        bar.update()
                    pending = [pool.submit(_write, lz, src, src.file_key(day_date(d)),
                                           table.slice(a, b - a), ss) for d, a, b in parts]
                for f in pending:
                    f.result()
                    bar.update()
            del fr, make
        bar.close()
        _release(w, name)
        ss.seconds = time.perf_counter() - t0
        results.append(ss)
        if on_source_done:
            on_source_done(ss)
        log.info("history %s: %s rows in %s files", name, ss.rows, ss.files)
    gt = write_ground_truth(w, ground_truth_dir, lz.uri)
    return Summary(config, "history", None, lz.uri, results, str(gt))


def generate_day(config: GeneratorConfig, day: date, out: str | None = None, *,
                 sources: Iterable[str] | None = None,
                 progress: ProgressFactory | None = None) -> Summary:
    """Write one increment: the files that land on ``day`` (after ``as_of``)."""
    return generate_days(config, [day], out, sources=sources, progress=progress)[0]


def generate_days(config: GeneratorConfig, days: Iterable[date], out: str | None = None, *,
                  sources: Iterable[str] | None = None,
                  progress: ProgressFactory | None = None) -> list[Summary]:
    """Write several increments (e.g. catching up a week) simulating the world only once.

    Returns one ``Summary`` per day, in the order given; the files are exactly those that
    ``generate_day`` writes for each day.
    """
    import numpy as np

    days = list(days)
    for day in days:
        if not config.as_of_day < day_number(day) <= config.end_day:
            raise ValueError(
                f"--day {day} must be after --as-of {config.as_of} and at most horizon_days="
                f"{config.horizon_days} later ({config.last_day}): the history covers up to "
                f"as_of and the simulated world ends there")
    lz = synthetic_zone(out)
    progress = progress or _no_progress
    w = World(config)
    results: dict[date, list[SourceSummary]] = {day: [] for day in days}
    for name in _selected(sources):
        src = source(name)
        t0 = time.perf_counter()
        fr, make = (None, None) if name == "products" else _frame(w, name)
        build_s = (time.perf_counter() - t0) / max(1, len(days))  # world share, per day
        bar = progress(name, len(days) * (24 if src.hourly_increments else 1))
        for day in days:
            t1 = time.perf_counter()
            d = day_number(day)
            ss = SourceSummary(name)
            if name == "products":
                if day.weekday() == 0:  # weekly full catalog export on Mondays
                    _write(lz, src, src.file_key(day), products_table(w, d), ss)
                bar.update()
            else:
                lo, hi = _rows_for_day(fr, d)
                table = make(lo, hi)
                if src.hourly_increments:  # transactions micro-batches, events batches
                    cuts = np.searchsorted(fr.bucket[lo:hi] - d * 24, np.arange(25))
                    for h in range(24):
                        start = datetime(day.year, day.month, day.day, h)
                        _write(lz, src, src.file_key(start),
                               table.slice(int(cuts[h]), int(cuts[h + 1] - cuts[h])), ss)
                        bar.update()
                else:
                    _write(lz, src, src.file_key(day), table, ss)
                    bar.update()
            ss.seconds = build_s + time.perf_counter() - t1
            results[day].append(ss)
        bar.close()
        del fr, make
        _release(w, name)
    return [Summary(config, "day", day, lz.uri, results[day]) for day in days]


def _rows_for_day(fr: Frame, d: int) -> tuple[int, int]:
    import numpy as np

    land = fr.land_day
    return int(np.searchsorted(land, d, "left")), int(np.searchsorted(land, d, "right"))


def _write(lz, src: Source, key: str, table, ss: SourceSummary) -> None:
    ss.bytes += X.write_file(lz, key, table, src.file_format)
    ss.rows += table.num_rows
    ss.files += 1
    ss.keys.append(key)
