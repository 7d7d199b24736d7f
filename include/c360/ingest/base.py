"""What both loaders share: file metadata, load results, the ``Loader`` protocol and
``LoaderBase`` (the methods both loaders implement the same way)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, Self

from include.c360.ingest.config import RESOLVED
from include.c360.ingest.errors import FileError
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

    def recorded_files(self, src: Source) -> set[str]:
        """Keys of every file of ``src`` with a load-history row, whatever its status."""
        ...

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


class LoaderBase:
    """The part of a :class:`Loader` that does not depend on the warehouse: the client (a
    DuckDB connection, a ``SnowflakeHook``) made on first use and dropped by ``close`` (also on
    leaving a ``with`` block), the load-history reads, and a resolution recorded as one more
    load-history row of the failed file (through the loader's own ``record_failure``). A
    loader supplies ``_connect``, ``_records`` (run one rendered query) and ``record_failure``.
    """

    _client: Any = None

    def _connect(self) -> Any:
        raise NotImplementedError

    def _disconnect(self, client: Any) -> None:
        """Release the client (nothing to do unless it holds a connection)."""

    def _records(self, query: str, params: dict[str, Any]) -> list[tuple]:
        raise NotImplementedError

    def record_failure(self, src: Source, f: FileMeta, err: FileError, *, status: str,
                       quarantine_key: str | None, run_id: str) -> None:
        raise NotImplementedError

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            self._disconnect(client)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def loaded_files(self, src: Source) -> dict[str, LoadedFile]:
        rows = self._records("loaded_files", {"source": src.name})
        return {r[0]: LoadedFile(r[0], r[1], r[2], r[3]) for r in rows}

    def recorded_files(self, src: Source) -> set[str]:
        return {r[0] for r in self._records("recorded_files", {"source": src.name})}

    def unresolved_failures(self, src: Source, run_id: str | None = None) -> list[FailedFile]:
        rows = self._records("unresolved_failures", {"source": src.name, "run_id": run_id})
        return [failed_file(tuple(r)) for r in rows]

    def record_resolution(self, src: Source, failed: FailedFile, *, note: str,
                          run_id: str, status: str = RESOLVED) -> None:
        err = FileError(failed.key, note, failed.error_row, failed.error_column)
        self.record_failure(src, failed.meta, err, status=status,
                            quarantine_key=failed.quarantine_key, run_id=run_id)
