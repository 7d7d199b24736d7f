"""Where personal data lives, derived from its one declaration (``pii: true`` on the columns
of ``catalog.yml``; the dbt project carries the same marks as column ``meta: {pii: true}``,
which tests hold equal to these).

* RAW: each source's ``Source.pii_columns`` (today ``raw.customers``: first_name, last_name,
  email, phone). Snowflake masks them with the setup's masking policy
  (``include/sql/snowflake/setup/08_pii_masking.sql``).
* staging: views over RAW (``stg_customers``): they show what RAW holds.
* marts: ``dim_customers`` (full_name, email); snapshots: ``snap_customer_profile`` keeps every
  past version of ``stg_customers``' columns. dbt masks these in Snowflake after each build
  (post-hook ``mask_pii_columns``).

* landing zone: the quarantined files of those sources (``_quarantine/customers/``: rejected
  CRM exports, their records unloaded) and the compliance export
  (``exports/high_risk_transactions/``), which carries ``dim_customers``' pii columns of each
  flagged payment's customer (``landing_files``; erasure rewrites them, ``privacy.py``). The
  source systems' own exports in the landing zone are theirs (the bucket's lifecycle rules).

``state`` and ``country`` are coarse geography (a US state, an ISO country code) that feed
segmentation and the cross-border fraud signal; there is no street address, postcode or
birth date in the sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from include.c360.catalog import pii_columns
from include.c360.constants import MARTS_SCHEMA, RAW_SCHEMA, SNAPSHOTS_SCHEMA
from include.c360.sources import SOURCES


@dataclass(frozen=True)
class PiiRelation:
    schema: str  # the dbt/ingestion schema name (DuckDB schema; Snowflake schema)
    name: str
    columns: tuple[str, ...]
    key: str = "customer_id"  # the person the row is about


def raw_relations() -> list[PiiRelation]:
    return [PiiRelation(RAW_SCHEMA, s.name, s.pii_columns) for s in SOURCES if s.pii_columns]


def dbt_relations() -> list[PiiRelation]:
    """Tables dbt builds that hold personal data (views are not listed: they follow RAW)."""
    return [
        PiiRelation(MARTS_SCHEMA, "dim_customers", pii_columns("dim_customers")),
        PiiRelation(SNAPSHOTS_SCHEMA, "snap_customer_profile", pii_columns("stg_customers")),
    ]


@dataclass(frozen=True)
class PiiFiles:
    """Files of the landing zone that hold personal data, by prefix."""

    prefix: str
    columns: tuple[str, ...]  # the personal-data columns (fields / keys) of their records
    file_format: str  # a registry format (csv_gzip, ndjson_gzip) or "csv" (plain, with header)
    kind: str  # "quarantine" (rejected exports: the person's records go) or "export"
    key: str = "customer_id"


def landing_files() -> list[PiiFiles]:
    from include.c360.ingest.config import QUARANTINE_PREFIX
    from include.c360.report.export import EXPORT_PREFIX

    return [PiiFiles(f"{QUARANTINE_PREFIX}{s.name}/", s.pii_columns, s.file_format,
                     "quarantine") for s in SOURCES if s.pii_columns] + [
        PiiFiles(f"{EXPORT_PREFIX}/", pii_columns("dim_customers"), "csv", "export")]
