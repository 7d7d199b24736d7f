"""Which files a run of one source must load: its data interval's partitions minus the
files the load history says are already in RAW (COPY INTO's load-metadata rule)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from include.c360.ingest.base import FileMeta, LoadedFile
from include.c360.landing import LandingFile, LandingZone, S3LandingZone
from include.c360.sources import Source

log = logging.getLogger(__name__)

WHOLE_PREFIX_DAYS = 7  # list the whole source prefix for intervals longer than this
_DT = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")


class CatchUpTooLong(ValueError):
    """The last loaded partition is further back than ``max_catchup_days``: listing from it
    would be a backfill, which an operator starts on purpose (nothing is skipped silently)."""


def partition_days(start: datetime, end: datetime, lookback_days: int,
                   since: date | None = None) -> list[date]:
    """Days whose ``dt=`` partitions overlap ``[start - lookback, end]``, from ``since`` when
    that is earlier (the catch-up after an outage, ``catch_up_from``)."""
    first = (start - timedelta(days=lookback_days)).date()
    if since is not None:
        first = min(first, since)
    last = end.date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def file_day(key: str) -> date | None:
    m = _DT.search("/" + key)
    return date.fromisoformat(m.group(1)) if m else None


def catch_up_from(src: Source, start: datetime, lookback_days: int, loaded_keys: Iterable[str],
                  max_catchup_days: int) -> date | None:
    """The day to list from when the last loaded partition is older than the lookback (an
    outage or pause longer than it, with ``catchup=False`` skipping the runs in between): that
    partition's day, so every partition after it is listed. ``None``: the lookback covers it
    (or nothing is loaded yet, or the source is a snapshot). Raises ``CatchUpTooLong`` when
    that day is more than ``max_catchup_days`` before the interval."""
    if src.load_strategy == "truncate_insert":
        return None
    days = [d for k in loaded_keys if (d := file_day(k)) is not None and d <= start.date()]
    if not days:
        return None
    last = max(days)
    first = (start - timedelta(days=lookback_days)).date()
    if last >= first:
        return None
    behind = (start.date() - last).days
    if behind > max_catchup_days:
        gap_from, gap_to = last + timedelta(days=1), first - timedelta(days=1)
        raise CatchUpTooLong(
            f"{src.name}: the last loaded partition is dt={last}, {behind} days before this "
            f"interval ({start:%Y-%m-%d}), more than max_catchup_days={max_catchup_days}: "
            f"partitions dt={gap_from} .. dt={gap_to} would not be listed. Nothing was loaded. "
            f"Load them with a backfill (airflow backfill create --dag-id c360_ingest_"
            f"{src.name} --from-date {gap_from} --to-date {start:%Y-%m-%d}) or trigger this "
            f"DAG with Param max_catchup_days >= {behind}.")
    return last


def partition_gaps(src: Source, recorded_keys: Iterable[str]) -> list[date]:
    """The days of a daily-partitioned source (``Source.daily_partitions``) between the first
    and the newest partition the load history knows that have no file in it (whatever its
    state: a rejected file was delivered): exports that never arrived while later days did."""
    if not src.daily_partitions:
        return []
    days = {d for k in recorded_keys if (d := file_day(k)) is not None}
    if not days:
        return []
    first = min(days)
    span = (max(days) - first).days + 1
    return [d for i in range(span) if (d := first + timedelta(days=i)) not in days]


def list_days(zone: LandingZone, src: Source, days: Iterable[date]) -> list[LandingFile]:
    """The source's files in the partitions of ``days``, one listing per day."""
    files = []
    for day in days:
        files.extend(zone.list(src.partition_prefix(day)))
    return [f for f in files if f.key.endswith(src.file_extension)]


def day_ranges(days: list[date], limit: int = 10) -> str:
    """``dt=2026-11-12 .. dt=2026-11-14, dt=2026-11-20`` (consecutive days as one range; at
    most ``limit`` ranges, then how many days more)."""
    ranges: list[list[date]] = []
    for d in sorted(days):
        if ranges and (d - ranges[-1][1]).days == 1:
            ranges[-1][1] = d
        else:
            ranges.append([d, d])
    text = ", ".join(f"dt={a}" if a == b else f"dt={a} .. dt={b}" for a, b in ranges[:limit])
    rest = sum((b - a).days + 1 for a, b in ranges[limit:])
    return text + (f" and {rest} more day(s)" if rest else "")


def list_interval(zone: LandingZone, src: Source, start: datetime, end: datetime,
                  lookback_days: int, since: date | None = None) -> list[LandingFile]:
    """The source's files in the partitions of the interval (plus lookback, or from ``since``),
    sorted by key."""
    if src.load_strategy == "truncate_insert":
        # a full snapshot: the newest file up to the interval's end, wherever it is
        files = [f for f in zone.list(f"{src.name}/dt=")
                 if (d := file_day(f.key)) is not None and d <= end.date()]
    else:
        days = partition_days(start, end, lookback_days, since)
        if len(days) > WHOLE_PREFIX_DAYS:  # a backfill: one listing beats one per day
            wanted = set(days)
            files = [f for f in zone.list(f"{src.name}/dt=") if file_day(f.key) in wanted]
        else:
            files = list_days(zone, src, days)
    return sorted((f for f in files if f.key.endswith(src.file_extension)), key=lambda f: f.key)


@dataclass
class Plan:
    new: list[FileMeta] = field(default_factory=list)
    changed: list[tuple[FileMeta, LoadedFile]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)

    @property
    def to_load(self) -> list[FileMeta]:
        return self.new + [f for f, _ in self.changed]


def make_plan(zone: LandingZone, src: Source, files: list[LandingFile],
              loaded: dict[str, LoadedFile]) -> Plan:
    """Split listed files into new / changed / unchanged.

    A file is unchanged when its ETag matches the recorded one (no read at all) or, for a
    local file whose size+mtime ETag moved, when its MD5 still matches (touched, not changed).
    """
    plan = Plan()
    for lf in files:
        prev = loaded.get(lf.key)
        if prev is not None and prev.etag == lf.etag:
            plan.unchanged.append(lf.key)
            continue
        # S3's ETag is already the content checksum (no extra request); a local file is hashed
        md5 = lf.etag if isinstance(zone, S3LandingZone) else zone.md5(lf.key)
        meta = FileMeta(lf.key, lf.etag, md5, lf.size, lf.last_modified)
        if prev is None:
            plan.new.append(meta)
        elif prev.md5 == md5:
            plan.unchanged.append(lf.key)
        else:
            plan.changed.append((meta, prev))
    if src.load_strategy == "truncate_insert" and files:
        latest = files[-1].key  # keys carry the date stamp: the last one is the newest export
        plan.superseded = [f.key for f in plan.to_load if f.key != latest]
        plan.new = [f for f in plan.new if f.key == latest]
        plan.changed = [(f, p) for f, p in plan.changed if f.key == latest]
        plan.unchanged = [k for k in plan.unchanged if k == latest]
    return plan
