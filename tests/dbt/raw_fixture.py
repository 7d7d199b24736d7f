"""Small, realistic, dirty RAW data for the dbt tests, built from the source registry.

The rows are pure Python, so both venvs can use them: the DuckDB tests write them as the
sources' export files and load them with the ingestion's own ``ingest()`` (``load_duckdb``);
the fakesnow runner (dbt venv) inserts them into RAW directly (``load_rows``). Two
consecutive days:

* day 1 (files dated 2026-11-24): history exports, plus a second file per source that
  re-exports some rows (same key, sometimes an updated status) — latest load must win;
* day 2 (files dated 2026-11-25): new customers and customers whose kyc/account status changed
  (delta export), new orders, new and late transactions (dated two days back), duplicate
  re-exports of day-1 transactions with a changed status, new events, campaigns and tickets.

Everything is deterministic (seeded), mixed case with stray whitespace in names and codes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from include.c360.sources import SOURCES, source
from include.c360.warehouse.types import sql_type

DAY1 = date(2026, 11, 24)
DAY2 = date(2026, 11, 25)
N_CUSTOMERS = 60
N_PRODUCTS = 30
CATEGORIES = ["Electronics", "home & garden", " APPAREL", "beauty ", "Sports"]
FRAUDY = ("C00007", "C00013")  # customers with fraud-like payment behaviour
CHANGED_ON_DAY2 = ("C00003", "C00004", "C00005")  # kyc/account status changes in the day-2 delta

Row = dict[str, Any]


def _messy(rng: random.Random, value: str | None) -> str | None:
    """Mixed case and stray whitespace, as the source systems send codes and names."""
    if value is None:
        return None
    style = rng.randrange(4)
    v = value.upper() if style == 1 else value.title() if style == 2 else value
    return (" " * rng.randrange(2)) + v + (" " * rng.randrange(3))


def _code(rng: random.Random, value: str) -> str:
    """A code with the separator variants seen in exports ('in-store', 'In Store', 'IN_STORE')."""
    if "-" in value and rng.random() < 0.4:
        value = value.replace("-", rng.choice([" ", "_"]))
    return _messy(rng, value) or value


@dataclass
class Day:
    """The rows of one day's export files per source: file key -> rows."""

    files: dict[str, dict[str, list[Row]]] = field(default_factory=dict)

    def add(self, source_name: str, key: str, rows: list[Row]) -> None:
        self.files.setdefault(source_name, {})[key] = rows


def _customers(rng: random.Random, ids: list[str], signup_end: date) -> list[Row]:
    first = ["anna", "ben", "carla", "dev", "emma", "finn", "gita", "hugo", "ines", "jon"]
    last = ["smith", "garcia", "nguyen", "müller", "okafor", "rossi", "kim", "patel"]
    states = ["ca", "ny", "tx", "wa", "fl", "il"]
    rows = []
    for cid in ids:
        n = int(cid[1:])
        f, la = first[n % len(first)], last[n % len(last)]
        rows.append(
            {
                "customer_id": cid,
                "first_name": _messy(rng, f),
                "last_name": _messy(rng, la),
                "email": _messy(rng, f"{f}.{la}{n}@example.com"),
                "phone": rng.choice([None, "", f"+1-555-{n:04d}"]),
                "signup_date": signup_end - timedelta(days=rng.randrange(30, 900)),
                "state": _messy(rng, rng.choice(states)),
                "country": _messy(rng, "us" if n % 9 else rng.choice(["ca", "gb", "de"])),
                "kyc_status": _code(
                    rng, rng.choice(["verified"] * 6 + ["pending", "failed", "expired"])
                ),
                "account_status": _code(
                    rng, rng.choice(["active"] * 7 + ["suspended", "closed", "dormant"])
                ),
                "preferred_language": rng.choice([None, "en", " EN", "es", "fr "]),
            }
        )
    return rows


def _products(rng: random.Random) -> list[Row]:
    rows = []
    for i in range(1, N_PRODUCTS + 1):
        cat = CATEGORIES[i % len(CATEGORIES)]
        rows.append(
            {
                "product_id": f"P{i:04d}",
                "product_name": f" Product {i} ",
                "category": cat,
                "subcategory": _messy(rng, f"{cat.strip().lower()} line {i % 3}"),
                "unit_price": round(rng.uniform(5, 300), 2),
                "is_active": i % 11 != 0,
            }
        )
    return rows


def _orders(
    rng: random.Random,
    start: int,
    n: int,
    customers: list[str],
    products: list[Row],
    first_day: date,
    last_day: date,
) -> list[Row]:
    rows = []
    span = (last_day - first_day).days
    for i in range(start, start + n):
        p = rng.choice(products)
        qty = rng.randint(1, 4)
        rows.append(
            {
                "order_id": f"O{i:06d}",
                "customer_id": rng.choice(customers[:-3]),  # the last customers never order
                "order_date": first_day + timedelta(days=rng.randint(0, span)),
                "order_status": _code(
                    rng, rng.choice(["completed"] * 7 + ["cancelled", "pending", "returned"])
                ),
                "total_amount": round(p["unit_price"] * qty * rng.uniform(1.05, 1.6), 2),
                "product_id": p["product_id"],
                "quantity": qty,
                "channel": _code(rng, rng.choice(["web", "mobile", "in-store", "partner"])),
            }
        )
    return rows


def _transactions(
    rng: random.Random,
    start: int,
    n: int,
    customers: list[str],
    orders: list[Row],
    first: datetime,
    last: datetime,
) -> list[Row]:
    rows = []
    span = int((last - first).total_seconds())
    for i in range(start, start + n):
        cid = rng.choice(customers[:-2])
        fraudy = cid in FRAUDY
        ts = first + timedelta(seconds=rng.randrange(span))
        if fraudy and rng.random() < 0.6:
            ts = ts.replace(hour=rng.randrange(0, 5))
        ttype = rng.choice(["purchase"] * 8 + ["refund", "fee"]) if not fraudy else "purchase"
        amount = round(rng.uniform(5, 200), 2) * (-1 if ttype == "refund" else 1)
        if fraudy and rng.random() < 0.1:
            amount = round(rng.uniform(3000, 6000), 2)
        order = rng.choice(orders) if rng.random() < 0.5 else None
        rows.append(
            {
                "transaction_id": f"T{i:07d}",
                "customer_id": cid,
                "order_id": order["order_id"] if order else rng.choice([None, ""]),
                "transaction_date": ts,
                "amount": amount,
                "currency": _messy(
                    rng,
                    "usd" if (not fraudy and rng.random() < 0.99) else rng.choice(["eur", "gbp"]),
                ),
                "payment_method": _code(rng, rng.choice(["card"] * 5 + ["ach", "wallet", "wire"])),
                "transaction_type": _code(rng, ttype),
                "status": _code(
                    rng,
                    rng.choice(["success"] * 8 + ["failed", "pending"])
                    if not fraudy
                    else rng.choice(["success", "failed"]),
                ),
                "merchant_id": f"M{rng.randrange(1, 40):03d}",
            }
        )
    return rows


def _events(
    rng: random.Random,
    start: int,
    n_sessions: int,
    customers: list[str],
    first: datetime,
    last: datetime,
) -> list[Row]:
    rows = []
    i = start
    span = int((last - first).total_seconds())
    devices = [
        ("mobile", "safari"),
        ("desktop", "chrome"),
        ("tablet", "safari"),
        ("desktop", "firefox"),
    ]
    for s in range(n_sessions):
        cid = None if rng.random() < 0.15 else rng.choice(customers[:-1])
        device, browser = (
            devices[(int(cid[1:]) if cid else s) % 2] if rng.random() < 0.8 else rng.choice(devices)
        )
        ts = first + timedelta(seconds=rng.randrange(span))
        session_id = f"S{start:07d}-{s:05d}"
        for _ in range(rng.randint(2, 7)):
            rows.append(
                {
                    "event_id": f"E{i:08d}",
                    "customer_id": cid,
                    "session_id": session_id,
                    "event_type": _code(
                        rng,
                        rng.choice(["page_view"] * 4 + ["click", "form_submit", "login", "logout"]),
                    ).replace("-", "_"),
                    "page_url": f"https://shop.example.com/p/{rng.randrange(100)}",
                    "event_timestamp": ts,
                    "device_type": _messy(rng, device),
                    "browser": _messy(rng, browser),
                }
            )
            i += 1
            ts += timedelta(seconds=rng.randint(5, 400))
    return rows


def _campaigns(
    rng: random.Random, start: int, n: int, customers: list[str], first: datetime, last: datetime
) -> list[Row]:
    rows = []
    span = int((last - first).total_seconds())
    for i in range(start, start + n):
        sent = first + timedelta(seconds=rng.randrange(span))
        opened = sent + timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.45 else None
        clicked = (
            opened + timedelta(minutes=rng.randint(1, 90))
            if opened and rng.random() < 0.4
            else None
        )
        rows.append(
            {
                "campaign_id": f"K{i:06d}",
                "customer_id": rng.choice(customers),
                "campaign_name": rng.choice(
                    ["Black Friday", "Welcome Series", "Winback Q4", "Spring Sale"]
                ),
                "channel": _code(rng, rng.choice(["email"] * 3 + ["sms", "push", "in-app"])),
                "sent_at": sent,
                "opened_at": opened,
                "clicked_at": clicked,
                "converted": bool(clicked) and rng.random() < 0.5,
            }
        )
    return rows


def _tickets(
    rng: random.Random, start: int, n: int, customers: list[str], first: datetime, last: datetime
) -> list[Row]:
    rows = []
    span = int((last - first).total_seconds())
    for i in range(start, start + n):
        created = first + timedelta(seconds=rng.randrange(span))
        resolved = created + timedelta(hours=rng.randint(1, 72)) if rng.random() < 0.7 else None
        rows.append(
            {
                "ticket_id": f"TK{i:05d}",
                "customer_id": rng.choice(customers),
                "created_at": created,
                "resolved_at": resolved,
                "category": _code(
                    rng, rng.choice(["billing", "fraud", "technical", "account", "general"])
                ),
                "priority": _code(rng, rng.choice(["low", "medium", "medium", "high", "critical"])),
                "status": _code(
                    rng,
                    rng.choice(["resolved", "closed"])
                    if resolved
                    else rng.choice(["open", "in-progress"]),
                ),
                "satisfaction_score": rng.randint(1, 5)
                if resolved and rng.random() < 0.7
                else None,
            }
        )
    return rows


def _reexport(
    rng: random.Random, rows: list[Row], share: float, changes: dict[str, list[str]]
) -> list[Row]:
    """Copies of a share of rows (same key), some with a changed code: a later re-export."""
    out = []
    for r in rng.sample(rows, max(1, int(len(rows) * share))):
        r2 = dict(r)
        for col, values in changes.items():
            if rng.random() < 0.5:
                r2[col] = _code(rng, rng.choice(values))
        out.append(r2)
    return out


def build_days() -> tuple[Day, Day]:
    """The two days of export files (deterministic). One function on purpose: each day's
    files are listed in order, with the dirt each one carries next to it."""
    rng = random.Random(20261124)
    d1, d2 = Day(), Day()
    start = datetime.combine(DAY1 - timedelta(days=60), datetime.min.time())
    end1 = datetime.combine(DAY1, datetime.min.time())
    cust_ids = [f"C{i:05d}" for i in range(1, N_CUSTOMERS + 1)]
    customers = _customers(rng, cust_ids, DAY1)
    products = _products(rng)
    orders = _orders(
        rng, 1, 320, cust_ids, products, DAY1 - timedelta(days=400), DAY1 - timedelta(days=1)
    )
    txns = _transactions(rng, 1, 900, cust_ids, orders, start, end1)
    # velocity: one fraud-like customer makes a burst of payments on a single day
    burst = _transactions(
        rng,
        5000,
        12,
        ["C00007", "x", "y"],
        orders,
        end1 - timedelta(days=3),
        end1 - timedelta(days=3) + timedelta(hours=3),
    )
    for r in burst:
        r["customer_id"] = "C00007"
    events = _events(rng, 1, 450, cust_ids, start, end1)
    campaigns = _campaigns(rng, 1, 220, cust_ids, start, end1)
    tickets = _tickets(rng, 1, 50, cust_ids, start, end1)

    def key(name: str, day: date, batch: str | None = None) -> str:
        return source(name).file_key(day, batch)

    d1.add("customers", key("customers", DAY1), customers)
    d1.add(
        "customers",
        key("customers", DAY1, "reexport"),
        _reexport(rng, customers, 0.08, {"account_status": ["active", "dormant"]}),
    )
    d1.add("products", key("products", DAY1), products)
    d1.add("orders", key("orders", DAY1), orders)
    d1.add(
        "orders",
        key("orders", DAY1, "reexport"),
        _reexport(rng, orders, 0.05, {"order_status": ["completed", "returned"]}),
    )
    d1.add("transactions", key("transactions", DAY1), txns + burst)
    d1.add(
        "transactions",
        key("transactions", DAY1, "reexport"),
        _reexport(rng, txns, 0.05, {"status": ["success", "reversed"]}),
    )
    d1.add("events", key("events", DAY1), events)
    d1.add("events", key("events", DAY1, "reexport"), _reexport(rng, events, 0.03, {}))
    d1.add("campaigns", key("campaigns", DAY1), campaigns)
    d1.add("support_tickets", key("support_tickets", DAY1), tickets)

    # ---- day 2: the next day's increments -------------------------------------------------
    end2 = datetime.combine(DAY2, datetime.min.time())
    changed = []
    for r in customers:
        if r["customer_id"] in CHANGED_ON_DAY2:
            r2 = dict(r)
            r2["kyc_status"] = _messy(rng, "expired")
            r2["account_status"] = _messy(rng, "suspended")
            changed.append(r2)
    new_ids = [f"C{i:05d}" for i in range(N_CUSTOMERS + 1, N_CUSTOMERS + 3)]
    new_customers = _customers(rng, new_ids, DAY2)
    d2.add("customers", key("customers", DAY2), changed + new_customers)
    new_orders = _orders(rng, 10001, 20, cust_ids + new_ids, products, DAY1, DAY1)
    d2.add("orders", key("orders", DAY2), new_orders)
    new_txns = _transactions(rng, 100001, 60, cust_ids, orders + new_orders, end1, end2)
    late_txns = _transactions(
        rng, 200001, 8, cust_ids, orders, end1 - timedelta(days=2), end1 - timedelta(days=1)
    )
    dup_txns = [
        dict(r, status=" Success") for r in txns if r["status"].strip().lower() == "pending"
    ][:10]
    # late daytime payments of the fraud-like customer on its day-1 burst day (a new-device
    # day): only with the burst merged on day 1 are they high velocity (failed + new device +
    # high velocity = high risk)
    burst_day = end1 - timedelta(days=3)
    late_burst = [
        dict(
            burst[0],
            transaction_id=f"T02{900 + n:05d}",
            transaction_date=burst_day + timedelta(hours=12, minutes=n),
            currency="USD",
            transaction_type="purchase",
            status="failed",
            amount=20.0,
        )
        for n in range(2)
    ]
    d2.add(
        "transactions",
        key("transactions", DAY2),
        new_txns + late_txns + late_burst + dup_txns,
    )
    d2.add("events", key("events", DAY2), _events(rng, 500000, 40, cust_ids, end1, end2))
    d2.add("campaigns", key("campaigns", DAY2), _campaigns(rng, 100001, 20, cust_ids, end1, end2))
    d2.add(
        "support_tickets",
        key("support_tickets", DAY2),
        _tickets(rng, 10001, 5, cust_ids, end1, end2),
    )
    return d1, d2


def table_rows(day: Day, day_date: date) -> dict[str, list[tuple]]:
    """Rows per RAW table in Source.raw_table_columns order, with load metadata."""
    out: dict[str, list[tuple]] = {}
    for s in SOURCES:
        cols = [c.name for c in s.raw_columns]
        rows: list[tuple] = []
        for n_file, (file_key, file_rows) in enumerate(sorted(day.files.get(s.name, {}).items())):
            loaded_at = datetime.combine(day_date, datetime.min.time()) + timedelta(
                hours=2, minutes=5 * n_file
            )
            for i, r in enumerate(file_rows, start=1):
                rows.append(tuple(r[c] for c in cols) + (loaded_at, file_key, i))
        out[s.name] = rows
    return out


def create_raw_sql(schema: str = "raw") -> list[str]:
    """DDL of the RAW tables exactly as the ingestion contract says (registry columns)."""
    stmts = [f"create schema if not exists {schema}"]
    for s in SOURCES:
        cols = ", ".join(f"{c.name} {sql_type('duckdb', c.type)}" for c in s.raw_table_columns)
        stmts.append(f"create table if not exists {schema}.{s.name} ({cols})")
    return stmts


def load_rows(cursor, day: int, mark: str = "?") -> dict[str, int]:
    """Create the RAW tables (if missing) and insert day 1's or day 2's rows through a DB-API
    cursor (DuckDB: ``?`` placeholders, Snowflake: ``%s``); returns row counts."""
    d1, d2 = build_days()
    data = table_rows(d1, DAY1) if day == 1 else table_rows(d2, DAY2)
    for stmt in create_raw_sql():
        cursor.execute(stmt)
    for s in SOURCES:
        if data[s.name]:
            marks = ", ".join(mark for _ in s.raw_table_columns)
            cursor.executemany(f"insert into raw.{s.name} values ({marks})", data[s.name])
    return {s.name: len(data[s.name]) for s in SOURCES}


def write_landing(landing: Path, day: int) -> None:
    """Day 1's or day 2's export files into a landing folder, in each source's format (the
    generator's writers: CSV gzip, NDJSON gzip, Parquet)."""
    import pyarrow as pa

    from include.c360.generator.export import arrow_schema, write_file
    from include.c360.landing import LocalLandingZone

    zone = LocalLandingZone(landing)
    exports = build_days()[day - 1]
    for s in SOURCES:
        schema = arrow_schema(s, "ms" if s.file_format == "parquet" else "s")
        for key, rows in exports.files.get(s.name, {}).items():
            write_file(zone, key, pa.Table.from_pylist(rows, schema=schema), s.file_format)


def load_duckdb(db_path: str, day: int) -> dict[str, int]:
    """Day 1's or day 2's files written to a landing folder beside the DuckDB file and loaded
    by the ingestion's ``ingest()`` (RAW created on day 1); returns rows loaded per source."""
    from include.c360.offline import ingest_landing

    landing = Path(db_path).parent / "landing"
    write_landing(landing, day)
    file_day = DAY1 if day == 1 else DAY2
    return ingest_landing(landing, Path(db_path), file_day, file_day)
