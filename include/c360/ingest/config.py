"""Ingestion constants and policies, read from the environment or a DAG run's Params.

ON_ERROR policy (``C360_INGEST_ON_ERROR`` / Param ``on_error``). A bad file is never loaded in
part: it is skipped whole (Snowflake's ``SKIP_FILE``), recorded in the load history with an
error naming file, row and column, and moved to ``_quarantine/<key>`` in the landing zone.
The good files of the same batch always load. Then:

* ``fail`` (default): the task fails *after* loading the good files, so someone looks at it,
  and every later try of that run fails too while a file it rejected is unresolved: until a
  corrected file is re-delivered under the same key (it loads: LOADED) or an operator accepts
  the rejection (Param ``resolve_failed``: RESOLVED). Other runs are not held up by it.
* ``continue``: the task succeeds and logs a warning per bad file (warn-only).

Changed-file policy (``C360_INGEST_ON_CHANGED_FILE`` / Param ``on_changed_file``): a file
already loaded whose content changed under the same key (different checksum) is always
reported. ``reload`` (default) replaces the rows it loaded before with its new rows in one
transaction (a corrected re-export wins, nothing is duplicated); ``reject`` keeps the previous
rows, records the new version as ``REJECTED_CHANGED`` and quarantines it (it then counts as a
bad file for the ON_ERROR policy).

A run's Params (and its ``dag_run.conf``) may set the policies only (``POLICY_PARAMS``): the
database and schema names come from the environment and the registry, so no trigger can point
a load at another schema. The setup DAG's name Params are validated identifiers
(``setup_overrides``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from include.c360.constants import RAW_META_SCHEMA, RAW_SCHEMA

LOAD_HISTORY_TABLE = "load_history"
QUARANTINE_PREFIX = "_quarantine/"

ON_ERROR_CHOICES = ("fail", "continue")
ON_CHANGED_CHOICES = ("reload", "reject")

# load-history statuses (one row per event of a file, kept forever; a file's latest row is its
# state): LOADED = in RAW; FAILED / REJECTED_CHANGED = rejected and quarantined, unresolved;
# RESOLVED = an operator accepted the rejection (Param resolve_failed): nothing of it loads;
# RELEASED = an operator moved it back from quarantine to its landing key for a reload (Param
# release_quarantined): the file loads (LOADED) or is rejected again like any landed file
LOADED = "LOADED"
FAILED = "FAILED"
REJECTED_CHANGED = "REJECTED_CHANGED"
RESOLVED = "RESOLVED"
RELEASED = "RELEASED"

# what a run may choose
POLICY_PARAMS = ("on_error", "on_changed_file", "lookback_days", "max_catchup_days")
NAME_PARAMS = ("database", "raw_schema", "meta_schema")  # the setup DAG only, as identifiers


@dataclass(frozen=True)
class IngestConfig:
    on_error: str = "fail"
    on_changed_file: str = "reload"
    lookback_days: int = 2  # late files: re-list this many days before the data interval
    # after an outage: list from the last loaded partition when it is at most this many days
    # before the interval (further back fails the run: a backfill is an operator's decision)
    max_catchup_days: int = 31
    raw_schema: str = RAW_SCHEMA
    meta_schema: str = RAW_META_SCHEMA
    database: str = "C360"  # Snowflake database (DuckDB: the warehouse file's catalog)

    def __post_init__(self) -> None:
        if self.on_error not in ON_ERROR_CHOICES:
            raise ValueError(f"on_error must be one of {ON_ERROR_CHOICES}, not {self.on_error!r}")
        if self.on_changed_file not in ON_CHANGED_CHOICES:
            raise ValueError(
                f"on_changed_file must be one of {ON_CHANGED_CHOICES}, not {self.on_changed_file!r}"
            )
        for name in ("lookback_days", "max_catchup_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, not {getattr(self, name)}")

    @property
    def history_table(self) -> str:
        return f"{self.meta_schema}.{LOAD_HISTORY_TABLE}"

    @classmethod
    def from_env(cls, overrides: Mapping[str, Any] | None = None) -> IngestConfig:
        """Defaults, then ``C360_INGEST_*`` environment variables, then the policy keys of
        ``overrides`` (a run's Params; any other key, e.g. a ``raw_schema`` in
        ``dag_run.conf``, is ignored). The ingestion DAGs' policy Params default to this
        without overrides (``dag_parts.ingest_params``), so a run's Params, whose values are
        these defaults unless its trigger form or conf gave others, keep the environment's."""
        env = os.environ.get
        cfg = cls(  # unset: the field's default above
            on_error=env("C360_INGEST_ON_ERROR", cls.on_error).lower(),
            on_changed_file=env("C360_INGEST_ON_CHANGED_FILE", cls.on_changed_file).lower(),
            lookback_days=int(env("C360_INGEST_LOOKBACK_DAYS", cls.lookback_days)),
            max_catchup_days=int(env("C360_INGEST_MAX_CATCHUP_DAYS", cls.max_catchup_days)),
            database=env("C360_SNOWFLAKE_DATABASE", cls.database),
        )
        if overrides:
            known = {k: v for k, v in overrides.items() if k in POLICY_PARAMS}
            for k in ("lookback_days", "max_catchup_days"):
                if k in known:
                    known[k] = int(known[k])
            for k in ("on_error", "on_changed_file"):
                if k in known:
                    known[k] = str(known[k]).lower()
            cfg = replace(cfg, **known)
        return cfg

    @classmethod
    def for_setup(cls, params: Mapping[str, Any] | None) -> IngestConfig:
        """The environment's config with the setup DAG's (validated) database/schema Params."""
        return replace(cls.from_env(), **setup_overrides(params))


def setup_overrides(params: Mapping[str, Any] | None) -> dict[str, str]:
    """The setup DAG's database/schema Params, each checked as an identifier (ValueError)."""
    from include.c360.warehouse.sql import sql_identifier

    return {k: sql_identifier(v) for k, v in (params or {}).items() if k in NAME_PARAMS}
