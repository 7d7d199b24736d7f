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
