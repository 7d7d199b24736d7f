"""What one ingestion task does for one source and one data interval, on either warehouse.

1. list the interval's partitions (plus lookback, for late files) in the landing zone, and
   every partition since the last loaded one when that is older (an outage longer than the
   lookback: ``catchup=False`` skipped its runs, their partitions are not skipped);
2. skip files the load history has (same ETag/MD5): re-runs, retries and backfills load
   nothing twice; a changed file is reported and reloaded or rejected per policy;
3. load each remaining file in its own transaction; a bad file (its content: header, keys,
   types, a cut gzip stream) is recorded with its error, moved to ``_quarantine/<key>`` and
   never blocks the good files. A failure of the warehouse itself (``WarehouseError``) is not
   the file's: the task fails at once (Airflow retries it), the file stays where it is;
4. apply the ON_ERROR policy to the files this run rejected and has not seen resolved (in any
   of its tries): fail the task after the good files loaded, or warn;
5. a daily source's day with no file between delivered days (no load-history row either) is a
   gap: every run lists those days again (a late export loads and closes it) and, while one is
   left, fails after loading everything else, naming the source and the days.

``resolve_failed`` is the operator's way to accept a rejection (Param ``resolve_failed`` of the
ingestion DAGs): it records RESOLVED for the file, so the run that rejected it can be cleared
and succeed. ``release_quarantined`` (Param ``release_quarantined``) is the way back once a
rejection's cause is fixed: the file returns from quarantine to its landing key and loads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from include.c360.ingest.base import FailedFile, FileMeta, Loader, LoadResult
from include.c360.ingest.config import (
    FAILED,
    QUARANTINE_PREFIX,
    REJECTED_CHANGED,
    RELEASED,
    IngestConfig,
)
from include.c360.ingest.errors import FileError
from include.c360.ingest.plan import (
    catch_up_from,
    day_ranges,
    list_days,
    list_interval,
    make_plan,
    partition_gaps,
)
from include.c360.landing import LandingZone
from include.c360.sources import Source

log = logging.getLogger(__name__)


class IngestError(RuntimeError):
    """Raised (policy ``fail``) after the good files loaded, listing every bad file."""


RESOLVE_HINT = ("Re-deliver a corrected file under the same key and retry (clear) this run; or, "
                "once the cause is fixed elsewhere, reload the quarantined file: trigger the DAG "
                "with Param release_quarantined = [<file key>]; or accept the rejection: "
                "trigger the DAG with Param resolve_failed = [<file key>], then clear this run.")


@dataclass
class IngestReport:
    source: str
    listed: int = 0
    loaded: list[LoadResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    unresolved: list[FailedFile] = field(default_factory=list)  # rejected by an earlier try
    gaps: list[date] = field(default_factory=list)  # days never delivered (after this load)

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.loaded)

    def summary(self) -> dict:
        return {
            "source": self.source, "listed": self.listed, "loaded_files": len(self.loaded),
            "rows": self.rows, "skipped_files": len(self.skipped),
            "changed_files": self.changed, "superseded_files": self.superseded,
            "errors": [str(e) for e in self.errors],
            "unresolved": [f.key for f in self.unresolved],
            "gaps": [d.isoformat() for d in self.gaps],
        }


def quarantine_key(zone: LandingZone, src: Source, key: str) -> str:
    """Where a rejected file goes: ``_quarantine/<key>``, or ``<name>.<n><extension>`` beside it
    when an earlier rejection of the same key is still there (no quarantined copy is ever
    overwritten)."""
    dest = QUARANTINE_PREFIX + key
    stem = dest.removesuffix(src.file_extension)
    n = 1
    while zone.exists(dest):
        dest = f"{stem}.{n}{src.file_extension}"
        n += 1
    return dest


def quarantine(src: Source, meta: FileMeta, err: FileError, status: str, zone: LandingZone,
               wh: Loader, run_id: str) -> str:
    """Record the rejection (with the quarantine key), then move the file there.

    In this order nothing can be lost: when the record fails the file stays in its partition
    (the next try finds and rejects it again); when the move fails the record says where the
    file was bound and the file stays in its partition, where the next try rejects it again.
    """
    qkey = quarantine_key(zone, src, meta.key)
    wh.record_failure(src, meta, err, status=status, quarantine_key=qkey, run_id=run_id)
    zone.move(meta.key, qkey)
    return qkey


def ingest(src: Source, start: datetime, end: datetime, *, zone: LandingZone, wh: Loader,
           config: IngestConfig, run_id: str = "manual",
           also: list[str] | None = None) -> IngestReport:
    """Load the interval's files; ``also``: landing keys to consider wherever their partition
    is (files released from quarantine by this run)."""
    report = IngestReport(src.name)
    loaded = wh.loaded_files(src)
    recorded = wh.recorded_files(src)
    since = catch_up_from(src, start, config.lookback_days, loaded, config.max_catchup_days)
    if since is not None:
        log.warning("%s: the last loaded partition is dt=%s, before this interval's lookback: "
                    "listing every partition from it (catch-up after an outage or a pause)",
                    src.name, since)
    files = list_interval(zone, src, start, end, config.lookback_days, since)
    listed = {f.key for f in files}
    # the days never delivered so far are listed again, wherever they are: a late export loads
    files += [f for f in list_days(zone, src, partition_gaps(src, recorded))
              if f.key not in listed]
    listed = {f.key for f in files}
    for key in also or []:
        files += [f for f in zone.list(key) if f.key == key and key not in listed]
    files.sort(key=lambda f: f.key)
    report.listed = len(files)
    plan = make_plan(zone, src, files, loaded)
    report.skipped = plan.unchanged
    report.superseded = plan.superseded
    for key in plan.superseded:
        log.info("%s: %s superseded by a newer snapshot, not loaded", src.name, key)
    truncate = src.load_strategy == "truncate_insert"
    to_load = [(f, False) for f in plan.new]
    for f, prev in plan.changed:
        report.changed.append(f.key)
        log.warning("%s: file %s changed since it was loaded (load %s; md5 %s -> %s)",
                    src.name, f.key, prev.load_id, prev.md5, f.md5)
        if config.on_changed_file == "reject":
            err = FileError(f.key, f"file changed since it was loaded (md5 {prev.md5} -> "
                                   f"{f.md5}); policy on_changed_file=reject keeps the rows of "
                                   f"load {prev.load_id}")
            _reject(src, f, err, REJECTED_CHANGED, zone, wh, run_id, report)
        else:
            to_load.append((f, True))
    to_load.sort(key=lambda x: x[0].key)
    outcomes = wh.load_files(src, to_load, zone, truncate=truncate, run_id=run_id)
    for (f, _), out in zip(to_load, outcomes, strict=True):
        if isinstance(out, FileError):
            _reject(src, f, out, FAILED, zone, wh, run_id, report)
        else:
            report.loaded.append(out)
    rejected_now = {e.key for e in report.errors}
    report.unresolved = [f for f in wh.unresolved_failures(src, run_id)
                         if f.key not in rejected_now]
    # every listed file now has a history row (loaded, unchanged or rejected)
    report.gaps = partition_gaps(src, recorded | {f.key for f in files})
    log.info("%s: %s", src.name, report.summary())
    apply_on_error(src, config, [str(e) for e in report.errors], report.unresolved,
                   f"good files loaded: {len(report.loaded)}", report.gaps)
    return report


def gap_message(src: Source, gaps: list[date]) -> str:
    """What a run says about the days a daily source never delivered (``partition_gaps``)."""
    return (f"{src.name}: {len(gaps)} day(s) never delivered, though later days were: "
            f"{day_ranges(gaps)} (no file under {src.name}/dt=<day>/ and no load-history row). "
            f"Everything else loaded. Have the source system deliver each day's export (an "
            f"empty one, e.g. a header-only CSV, if it had nothing that day): every run lists "
            f"these days again and loads what arrives, and fails until none is missing.")


def apply_on_error(src: Source, config: IngestConfig, errors: list[str],
                   unresolved: list[FailedFile], loaded: str,
                   gaps: list[date] | None = None) -> None:
    """ON_ERROR: fail (or warn) naming every file this run rejected, in this try or before.
    Days never delivered (``gaps``) fail the task whatever the policy: nothing else records
    them (a rejected file is in the load history and quarantine, a missing one nowhere)."""
    gap = gap_message(src, gaps) if gaps else ""
    if gap:
        log.error("%s", gap)
    lines = [f"  - {e}" for e in errors] + [
        f"  - {f.message} (rejected by an earlier try, {f.status}, still unresolved; "
        f"in {f.quarantine_key or 'the landing zone'})" for f in unresolved]
    msg = (f"{src.name}: {len(lines)} bad file(s) quarantined under {QUARANTINE_PREFIX} "
           f"({loaded}):\n" + "\n".join(lines)) if lines else ""
    if msg and config.on_error == "fail":
        raise IngestError("\n".join(filter(None, [f"{msg}\n{RESOLVE_HINT}", gap])))
    if msg:
        log.warning("%s\n(on_error=continue%s)", msg, "" if gap else ": the task succeeds")
    if gap:
        raise IngestError(gap)


def resolve_failed(src: Source, keys: list[str], wh: Loader, run_id: str) -> list[str]:
    """Accept the rejection of ``keys`` (operator action): a RESOLVED row for each, so the run
    that rejected them stops failing over them. Nothing of them loads; a key that is not an
    unresolved rejection of this source is an error (a typo must not pass silently)."""
    if not keys:
        return []
    open_failures = {f.key: f for f in wh.unresolved_failures(src)}
    unknown = [k for k in keys if k not in open_failures]
    if unknown:
        raise ValueError(f"{src.name}: resolve_failed names {unknown}, which are not unresolved "
                         f"rejected files of this source (unresolved: {sorted(open_failures)})")
    for key in keys:
        failed = open_failures[key]
        note = (f"rejection accepted by run {run_id} (Param resolve_failed); was {failed.status}: "
                f"{failed.message}")
        wh.record_resolution(src, failed, note=note, run_id=run_id)
        log.warning("%s: %s resolved: %s", src.name, key, note)
    return list(keys)


def release_quarantined(src: Source, keys: list[str], zone: LandingZone, wh: Loader,
                        run_id: str) -> list[str]:
    """Put rejected files back for a reload once their cause is fixed (operator action, Param
    ``release_quarantined`` of the ingestion DAGs): each file moves from its quarantine key
    back to its landing key and a RELEASED row is recorded; the same run then loads it like
    any landed file (and rejects it again if it is still bad). ``keys`` are landing keys of
    unresolved rejections; a key that is not one, whose quarantined copy is gone, or whose
    landing key is taken (a re-export landed: it loads as it is) is an error and nothing of
    the call is released."""
    if not keys:
        return []
    open_failures = {f.key: f for f in wh.unresolved_failures(src)}
    problems = []
    for key in keys:
        failed = open_failures.get(key)
        if failed is None or not failed.quarantine_key:
            problems.append(f"{key} is not an unresolved quarantined file of {src.name}")
        elif not zone.exists(failed.quarantine_key):
            problems.append(f"{key}: its quarantined copy {failed.quarantine_key} is not there")
        elif zone.exists(key):
            problems.append(f"{key} is in the landing zone again (a re-export: it loads as "
                            f"it is; its quarantined copy {failed.quarantine_key} stays)")
    if problems:
        raise ValueError(f"{src.name}: release_quarantined: " + "; ".join(problems)
                         + f" (unresolved: {sorted(open_failures)})")
    for key in keys:
        failed = open_failures[key]
        zone.move(failed.quarantine_key, key)  # then the record: a lost record loses nothing
        note = (f"released from {failed.quarantine_key} for a reload by run {run_id} (Param "
                f"release_quarantined); was {failed.status}: {failed.message}")
        wh.record_resolution(src, failed, note=note, run_id=run_id, status=RELEASED)
        log.warning("%s: %s", src.name, note)
    return list(keys)


def _reject(src: Source, f, err: FileError, status: str, zone: LandingZone, wh: Loader,
            run_id: str, report: IngestReport) -> None:
    log.error("%s: %s", src.name, err)
    quarantine(src, f, err, status, zone, wh, run_id)
    report.errors.append(err)


def check_snowpipe(src: Source, start: datetime, end: datetime, *, zone: LandingZone, wh: Any,
                   config: IngestConfig, run_id: str = "manual",
                   grace: timedelta = timedelta(minutes=30)) -> dict:
    """Production path of the Snowpipe sources: the pipe loads, this task verifies.

    Fails when the pipe is not RUNNING; mirrors COPY_HISTORY into the load history;
    quarantines and reports files the pipe rejected (ON_ERROR policy); warns about landed
    files the pipe has not loaded after ``grace`` (S3 notification lost? ``ALTER PIPE ...
    REFRESH`` re-queues them).
    """
    from include.c360.ingest.snowflake_loader import record_pipe_loads

    files = list_interval(zone, src, start, end, config.lookback_days)
    metas = {f.key: FileMeta(f.key, f.etag, f.etag, f.size, f.last_modified) for f in files}
    since = start - timedelta(days=config.lookback_days)
    check = wh.check_pipe(src, since, list(metas))
    if check.state != "RUNNING":
        raise IngestError(f"{src.name}: Snowpipe is {check.state}, not RUNNING "
                          f"({check.pending_files} files pending)")
    mirrored = record_pipe_loads(wh, src, check, metas, run_id, zone)
    already_failed = {e.key for e in check.errors if e.key not in metas}
    errors = []
    for err in check.errors:
        if err.key in metas:  # still in the landing partition: move it aside once
            errors.append(err)
            log.error("%s: %s", src.name, err)
            quarantine(src, metas[err.key], err, FAILED, zone, wh, run_id)
    unresolved = [f for f in wh.unresolved_failures(src, run_id)
                  if f.key not in {e.key for e in errors}]
    now = datetime.now(UTC)
    late = [k for k in check.not_yet_loaded
            if now - metas[k].last_modified.astimezone(UTC) > grace]
    for k in late:
        log.warning("%s: %s landed but Snowpipe has not loaded it after %s", src.name, k, grace)
    summary = {"source": src.name, "pipe_state": check.state, "pending": check.pending_files,
               "loaded_by_pipe": len(check.loaded), "newly_recorded": mirrored,
               "not_yet_loaded": check.not_yet_loaded, "late": late,
               "errors": [str(e) for e in errors], "known_failures": sorted(already_failed),
               "unresolved": [f.key for f in unresolved]}
    log.info("%s", summary)
    apply_on_error(src, config, [f"Snowpipe rejected {e}" for e in errors], unresolved,
                   f"loaded by the pipe: {len(check.loaded)}")
    return summary
