"""The one registry of the seven source systems.

Everything that differs between sources lives here and only here: landing prefix and file
format, partitioning, the ingestion cron that follows the SLA, freshness thresholds, load
strategy and the raw columns (read from the spec's catalog). The ingestion DAGs (one per
source), the generator's exports, the loaders and their SQL, the RAW tables' Assets and the
ingestion deadlines are generated from this list rather than written seven times. The seven
dbt source YAMLs (``dbt/models/staging/<system>/_<system>__sources.yml``: columns, types,
freshness) are written by hand, as dbt reads them; ``tests/dbt/test_dbt_project_files.py``
holds them to this registry, and the transform's freshness checks read their thresholds from
the dbt manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from include.c360.catalog import Column, model

# An ingestion run must finish within the slack its warn SLA leaves after one cadence, but never
# in less than this (the daily sources' warn threshold equals their cadence: no slack at all).
LOAD_DEADLINE_FLOOR = timedelta(hours=1)

# Columns the loader adds to every RAW table (COPY INTO metadata).
LOAD_METADATA_COLUMNS: tuple[Column, ...] = (
    Column("_loaded_at", "timestamp", "When the loader inserted the row (UTC)."),
    Column("_source_file", "varchar", "Landing-zone key of the file the row came from."),
    Column("_source_row_number", "int", "1-based row number of the row inside its file."),
)


@dataclass(frozen=True)
class Source:
    name: str  # RAW table name and landing prefix
    staging_model: str  # the catalog model that cleans it
    key: str  # natural key (deduplicated in staging, latest load wins)
    file_format: str  # csv_gzip | ndjson_gzip | parquet
    partition: str  # "day" (dt=YYYY-MM-DD/) or "hour" (dt=YYYY-MM-DD/hr=HH/) for increments
    cron: str  # ingestion schedule (UTC), from the SLA
    warn_after_hours: int
    error_after_hours: int | None  # None: the spec gives a warn threshold only
    load_strategy: str  # append | truncate_insert | snowpipe

    @property
    def raw_columns(self) -> tuple[Column, ...]:
        """The columns of the exported file: the staging model's columns minus load metadata."""
        return tuple(c for c in model(self.staging_model).columns if not c.name.startswith("_"))

    @property
    def pii_columns(self) -> tuple[str, ...]:
        """The RAW columns holding personal data (``pii: true`` in the catalog)."""
        return tuple(c.name for c in self.raw_columns if c.is_pii)

    @property
    def raw_table_columns(self) -> tuple[Column, ...]:
        """Columns of the RAW table: file columns plus the loader's metadata columns."""
        return self.raw_columns + LOAD_METADATA_COLUMNS

    @property
    def file_extension(self) -> str:
        return {"csv_gzip": ".csv.gz", "ndjson_gzip": ".ndjson.gz", "parquet": ".parquet"}[
            self.file_format
        ]

    def partition_prefix(self, day: date) -> str:
        """Landing-zone prefix of one day's partition, e.g. ``orders/dt=2026-11-24/``."""
        return f"{self.name}/dt={day.isoformat()}/"

    def file_key(self, start: datetime | date, batch: str | None = None) -> str:
        """Landing-zone key of one export file.

        ``start`` is the day (daily exports, history backfill files) or the hour/minute of a
        micro-batch; ``batch`` distinguishes re-exports or several batches in one period.
        """
        if isinstance(start, datetime):
            day = start.date()
            stamp = start.strftime("%Y%m%dT%H%M")
            prefix = self.partition_prefix(day)
            if self.partition == "hour":
                prefix += f"hr={start.hour:02d}/"
        else:
            day = start
            stamp = start.strftime("%Y%m%d")
            prefix = self.partition_prefix(day)
        suffix = f"_{batch}" if batch else ""
        return f"{prefix}{self.name}_{stamp}{suffix}{self.file_extension}"

    @property
    def daily_partitions(self) -> bool:
        """Every day has a partition: the export runs at least daily and writes a file even
        when it has no rows, so a day without one between delivered days is a gap (run.ingest).
        Not the weekly products snapshot."""
        return self.load_strategy != "truncate_insert" and self.cadence <= timedelta(days=1)

    @property
    def hourly_increments(self) -> bool:
        """Near-realtime (Snowpipe) sources land a day's increment as 24 hourly batch files."""
        return self.load_strategy == "snowpipe"

    @property
    def cadence(self) -> timedelta:
        """Time between two ingestion runs, from the cron (e.g. 15 min, 1 h, 1 day, 7 days)."""
        return _cron_cadence(self.cron)

    @property
    def load_deadline(self) -> timedelta:
        """How long after it is due an ingestion run may take before it misses its SLA.

        The slack the warn threshold leaves after one cadence (``warn - cadence``: the data must
        be loaded before the next consumer would see it stale), at least ``LOAD_DEADLINE_FLOOR``
        and at most one cadence (the next run is due then). customers/orders/campaigns/support
        tickets 1 h, transactions 15 min, events 1 h, products 1 day.
        """
        slack = max(self.freshness_warn - self.cadence, LOAD_DEADLINE_FLOOR)
        return min(self.cadence, slack)

    @property
    def freshness_warn(self) -> timedelta:
        return timedelta(hours=self.warn_after_hours)


SOURCES: tuple[Source, ...] = (
    Source("customers", "stg_customers", "customer_id", "csv_gzip", "day",
           "0 2 * * *", 24, 48, "append"),
    Source("orders", "stg_orders", "order_id", "csv_gzip", "day",
           "0 2 * * *", 24, 48, "append"),
    Source("transactions", "stg_transactions", "transaction_id", "parquet", "day",
           "*/15 * * * *", 1, 3, "snowpipe"),
    Source("events", "stg_events", "event_id", "ndjson_gzip", "hour",
           "0 * * * *", 3, 6, "snowpipe"),
    Source("products", "stg_products", "product_id", "csv_gzip", "day",
           "0 2 * * 1", 8 * 24, 14 * 24, "truncate_insert"),
    Source("campaigns", "stg_campaigns", "campaign_id", "csv_gzip", "day",
           "0 2 * * *", 24, None, "append"),
    Source("support_tickets", "stg_support_tickets", "ticket_id", "csv_gzip", "day",
           "0 2 * * *", 24, None, "append"),
)


def _cron_cadence(cron: str) -> timedelta:
    from croniter import croniter  # an Airflow dependency; only needed when asked

    ticks = croniter(cron, datetime(2026, 1, 1))
    first = ticks.get_next(datetime)
    return ticks.get_next(datetime) - first


SOURCES_BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}


def source(name: str) -> Source:
    try:
        return SOURCES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {sorted(SOURCES_BY_NAME)}") from None
