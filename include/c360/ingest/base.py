"""What both warehouses share: file metadata, load results and the Warehouse protocol."""

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


class Warehouse(Protocol):
    dialect: str

    def setup(self) -> None: ...

    def ensure_ready(self) -> None: ...

    def loaded_files(self, src: Source) -> dict[str, LoadedFile]: ...

    def load_files(self, src: Source, items: list[tuple[FileMeta, bool]], zone: LandingZone,
                   *, truncate: bool, run_id: str) -> list[LoadResult | FileError]:
        """Load ``(file, replace_previous_rows)`` items, each file all-or-nothing; a bad file
        comes back as its FileError (nothing of it loaded), the others load."""
        ...

    def record_failure(self, src: Source, f: FileMeta, err: FileError, *, status: str,
                       quarantine_key: str | None, run_id: str) -> None: ...

    def close(self) -> None: ...
