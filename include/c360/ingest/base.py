"""What both loaders share: file metadata, load results and the ``Loader`` protocol."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from include.c360.ingest.validate import FileError
from include.c360.landing import LandingZone
from include.c360.sources import Source


@dataclass(frozen=True)
class FileMeta:
    key: str
    etag: str
    md5: str
    size: int
    last_modified: datetime


@dataclass(frozen=True)
class LoadedFile:
    key: str
    etag: str | None
    md5: str | None
    load_id: str


@dataclass(frozen=True)
class FailedFile:
    """A rejected file nobody resolved: its latest load-history row is FAILED/REJECTED_CHANGED."""

    key: str
    status: str
    message: str  # the recorded error, naming file, row and column
    error_row: int | None
    error_column: str | None
    quarantine_key: str | None
    run_id: str | None
    meta: FileMeta


def failed_file(row: tuple) -> FailedFile:
    """A row of ``<dialect>/unresolved_failures.sql`` (the same columns on both warehouses)."""
    key, status, message, err_row, err_col, qkey, run_id, etag, md5, size, modified = row
    if isinstance(modified, str):
        modified = datetime.fromisoformat(modified)
    modified = (modified or datetime(1970, 1, 1)).replace(tzinfo=UTC)
    return FailedFile(key, status, message or "", None if err_row is None else int(err_row),
                      err_col, qkey, run_id,
                      FileMeta(key, etag or "", md5 or "", int(size or 0), modified))


@dataclass(frozen=True)
class LoadResult:
    key: str
    rows: int
    replaced_rows: int
    load_id: str


def new_load_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """Naive UTC (RAW timestamps are TIMESTAMP / TIMESTAMP_NTZ in UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Loader(Protocol):
    """Loading into one warehouse: RAW tables, the load history, rejections."""

    dialect: str

    def setup(self) -> None: ...

    def ensure_ready(self) -> None: ...

    def loaded_files(self, src: Source) -> dict[str, LoadedFile]: ...

    def load_files(self, src: Source, items: list[tuple[FileMeta, bool]], zone: LandingZone,
                   *, truncate: bool, run_id: str) -> list[LoadResult | FileError]:
        """Load ``(file, replace_previous_rows)`` items, each file all-or-nothing; a bad file
        comes back as its FileError (nothing of it loaded), the others load. A failure of the
        warehouse itself raises WarehouseError (the batch's files stay unloaded)."""
        ...

    def record_failure(self, src: Source, f: FileMeta, err: FileError, *, status: str,
                       quarantine_key: str | None, run_id: str) -> None: ...

    def unresolved_failures(self, src: Source, run_id: str | None = None) -> list[FailedFile]:
        """Rejected files whose rejection nobody resolved (a later LOADED or RESOLVED row);
        with ``run_id``: only those that run rejected."""
        ...

    def record_resolution(self, src: Source, failed: FailedFile, *, note: str,
                          run_id: str, status: str = "RESOLVED") -> None:
        """Append a row ending a rejection: RESOLVED (an operator accepted it) or RELEASED
        (the file was moved back from quarantine for a reload)."""
        ...

    def close(self) -> None: ...
