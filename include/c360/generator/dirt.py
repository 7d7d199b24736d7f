"""The dirt the generator puts into the exports, in one table, and how it is applied.

Staging must undo every row of ``DIRT``: trim + lower names/emails/enumeration codes, trim +
upper country/state/currency codes, default a null preferred_language to ``en``, keep the
latest load of every key (re-exports) and accept records whose event time is before their
partition (late arrivals). Tests in tests/generator assert these rates on generated data;
README.md in this package documents the same table for humans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa


@dataclass(frozen=True)
class Dirt:
    source: str
    columns: tuple[str, ...]
    kind: str  # case | whitespace | null_default | duplicate_reexport | late_arrival
    rate: float  # share of rows (of that source's exported rows) affected
    detail: str


# case/whitespace rates per column family (each value is drawn independently per row)
NAME_CASE, NAME_WS = 0.20, 0.08  # first_name/last_name: UPPER or lower instead of Title; padded
ENUM_CASE, ENUM_WS = 0.04, 0.02  # enumeration codes: UPPER or Title instead of lower; padded
CODE_CASE, CODE_WS = 0.03, 0.01  # ISO country / US state codes: lower instead of UPPER; padded
CURRENCY_CASE = 0.01  # transactions.currency lower case (parquet, no padding)
EMAIL_CASE = 0.03  # emails Title-cased (John.Smith12@Gmail.Com)
PRODUCT_WS = 0.03  # product_name padded with spaces
LANGUAGE_NULL = 0.04  # preferred_language left empty (staging defaults to 'en')

# re-exports of the same key in a LATER day's file (identical copy of the key's latest version)
DUPLICATE_RATES: dict[str, float] = {
    "customers": 0.005,
    "orders": 0.01,
    "transactions": 0.005,
    "events": 0.005,
    "campaigns": 0.01,
    "support_tickets": 0.01,
}
DUPLICATE_DELAY_DAYS = (1, 7)  # uniform, inclusive: the copy lands this many days later

# late arrivals: event time on an earlier day than the partition the record lands in
LATE_RATES: dict[str, float] = {"orders": 0.02, "transactions": 0.01, "events": 0.02,
                                "campaigns": 0.01, "support_tickets": 0.01}
LATE_DELAY_HOURS: dict[str, tuple[int, int]] = {
    "orders": (24, 72), "transactions": (24, 48), "events": (24, 72),
    "campaigns": (24, 48), "support_tickets": (24, 72),
}

_ENUM_COLS = {
    "customers": ("kyc_status", "account_status"),
    "orders": ("order_status", "channel"),
    "transactions": ("transaction_type", "status", "payment_method"),
    "events": ("device_type",),
    "campaigns": ("channel",),
    "support_tickets": ("category", "priority", "status"),
}

DIRT: tuple[Dirt, ...] = (
    Dirt("customers", ("first_name", "last_name"), "case", NAME_CASE,
         "UPPER or lower instead of Title case (half each); staging lower()s"),
    Dirt("customers", ("first_name", "last_name"), "whitespace", NAME_WS,
         "leading and/or trailing spaces; staging trim()s"),
    Dirt("customers", ("email",), "case", EMAIL_CASE, "Title-cased address; staging lower()s"),
    Dirt("customers", ("country", "state"), "case", CODE_CASE, "lower-case ISO code"),
    Dirt("customers", ("country", "state"), "whitespace", CODE_WS, "padded ISO code"),
    Dirt("customers", ("preferred_language",), "null_default", LANGUAGE_NULL,
         "empty; the spec says it defaults to en"),
    Dirt("products", ("product_name",), "whitespace", PRODUCT_WS, "padded name"),
    Dirt("products", ("category", "subcategory"), "case", ENUM_CASE, "UPPER or lower"),
    Dirt("transactions", ("currency",), "case", CURRENCY_CASE, "lower-case ISO currency"),
    *(Dirt(s, cols, "case", ENUM_CASE, "UPPER or Title instead of the spec's lower-case code")
      for s, cols in _ENUM_COLS.items()),
    *(Dirt(s, cols, "whitespace", ENUM_WS, "padded enumeration code")
      for s, cols in _ENUM_COLS.items() if s not in ("transactions", "events")),
    *(Dirt(s, ("*",), "duplicate_reexport", r,
           "identical copy of a row in a file 1-7 days later (never older than a newer version)")
      for s, r in DUPLICATE_RATES.items()),
    *(Dirt(s, ("*",), "late_arrival", r,
           f"lands {LATE_DELAY_HOURS[s][0]}-{LATE_DELAY_HOURS[s][1]} h after "
           + ("its regular export (sent day + 7)" if s == "campaigns" else "its event time")
           + ", i.e. in a later day's partition")
      for s, r in LATE_RATES.items()),
)


def dirt_for(source: str, kind: str | None = None) -> tuple[Dirt, ...]:
    return tuple(d for d in DIRT if d.source == source and (kind is None or d.kind == kind))


# --- applying case/whitespace dirt through pools of variants --------------------------------

def variants(clean: str, style: str) -> list[str]:
    """Five spellings of a clean value: [clean, case A, case B, padded left, padded right].

    ``style`` names the clean form: ``title`` (names), ``lower`` (codes), ``upper`` (ISO codes).
    """
    if style == "title":
        a, b = clean.upper(), clean.lower()
    elif style == "lower":
        a, b = clean.upper(), clean.title()
    elif style == "upper":
        a, b = clean.lower(), clean.lower()
    else:  # pragma: no cover
        raise ValueError(style)
    return [clean, a, b, f" {clean}", f"{clean}  "]


def variant_codes(rng: np.random.Generator, n: int, case: float, ws: float) -> np.ndarray:
    """Per row: 0 clean, 1/2 case variants (``case`` in total), 3/4 padded (``ws`` in total)."""
    import numpy as np

    p = np.array([1 - case - ws, case / 2, case / 2, ws / 2, ws / 2])
    return rng.choice(5, size=n, p=p).astype(np.uint8)


def dirty_pool(values: list[str] | tuple[str, ...], style: str) -> pa.Array:
    import pyarrow as pa

    return pa.array([v for clean in values for v in variants(clean, style)], pa.string())


def dirty_take(values, style: str, idx: np.ndarray, codes: np.ndarray, mask=None) -> pa.Array:
    """Value ``idx`` of ``values`` in the spelling ``codes`` (see ``variant_codes``)."""
    import numpy as np
    import pyarrow as pa

    pool = dirty_pool(values, style)
    full = idx.astype(np.int64) * 5 + codes
    return pool.take(pa.array(full, mask=mask))


def dirt_markdown() -> str:
    """The dirt table as markdown (README.md embeds exactly this; a test keeps them in sync)."""
    lines = ["| source | columns | kind | rate | detail |", "|---|---|---|---|---|"]
    for d in DIRT:
        lines.append(f"| {d.source} | {', '.join(d.columns)} | {d.kind} | {d.rate:.1%} | "
                     f"{d.detail} |")
    return "\n".join(lines)
