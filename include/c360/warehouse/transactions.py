"""One transaction: ``begin``, the caller's statements, ``commit``; any error rolls it back.

Used by every writer that must leave all or nothing: ingestion's per-file loads with their
load-history rows, ML's delete + insert of a run's scores, on DuckDB and on Snowflake alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)


@contextmanager
def transaction(execute: Callable[[str], Any]) -> Generator[None, None, None]:
    """``execute("begin")``, the block, ``execute("commit")``; on an error in the block or the
    commit, ``execute("rollback")`` and re-raise it. A rollback that cannot run (a connection
    that is gone) is logged: the original error is the one raised."""
    execute("begin")
    try:
        yield
        execute("commit")
    except BaseException:
        try:
            execute("rollback")
        except Exception as e:  # the original error is the one that matters
            log.warning("rollback after a failed transaction did not run: %s", e)
        raise
