"""A small synthetic Customer 360 world with known ground truth, for the ML layer's tests,
evaluation and benchmark when the platform's generator / dbt project are not used.

It writes the seven staging relations (schema ``staging``, the catalog's staging columns) and
the two dbt feature tables (schema ``features``) with dbt's column names, built by the fixture
SQL ``world_features.sql`` beside this file (a stand-in for the dbt models, min-max scaled the
same way). Ground truth (never read by the pipeline): ``<ground_truth_dir>/customers.parquet``
with the generator's column names (customer_id, is_churner, churn_date, churned_by_as_of,
is_fraud_actor, ...).

Behaviour that makes the models' jobs real: each customer has a latent value (order rate and
basket), an engagement level (sessions, opens), a churn date drawn from a hazard that is higher
for low-value, low-engagement customers, activity that thins out in the 60 days before churn
and support tickets with poor CSAT that cluster before it; 1.5 % of customers are fraud actors
whose payments are failed, nocturnal, cross-border and large far more often.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

FEATURES_SQL = Path(__file__).with_name("world_features.sql")
FULL_SCALE_CUSTOMERS = 270_000


@dataclass(frozen=True)
class WorldSpec:
    scale: float = 0.005
    as_of: date = date(2026, 11, 24)
    history_days: int = 1_100
    seed: int = 42

    @property
    def customers(self) -> int:
        return max(200, int(round(FULL_SCALE_CUSTOMERS * self.scale)))


def _ids(prefix: str, n: int, start: int = 0) -> Any:
    import numpy as np

    return np.char.add(prefix, np.char.zfill(np.arange(start, start + n).astype(str), 8))


def build_world(spec: WorldSpec) -> dict[str, Any]:
    """The staging tables as DataFrames plus the ground truth frame (key ``_ground_truth``)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(spec.seed)
    n = spec.customers
    end = np.datetime64(spec.as_of + timedelta(days=1), "s")  # exclusive end of data
    start = end - np.timedelta64(spec.history_days, "D")
    day = np.timedelta64(1, "D")
    sec_per_day = 86_400

    # ---- customers and latent behaviour
    cust = _ids("C", n)
    signup_offset = (rng.beta(1.6, 1.0, n) * (spec.history_days - 1)).astype(int)
    signup = (start + signup_offset * day).astype("datetime64[D]")
    value = rng.lognormal(0.0, 0.6, n)  # order-rate multiplier
    engage = np.clip(rng.normal(1.0, 0.35, n), 0.15, 2.5)
    aov = rng.lognormal(np.log(70), 0.5, n)
    fraud = rng.random(n) < 0.015
    daily_hazard = 0.0009 * (1.6 / (0.6 + value)) * (1.4 / (0.4 + engage))
    life_days = rng.exponential(1.0 / daily_hazard)
    churn_at = signup.astype("datetime64[s]") + (life_days * sec_per_day).astype("int64") * \
        np.timedelta64(1, "s")
    churned = churn_at < end
    active_end = np.where(churned, churn_at, end)
    span_days = np.maximum((active_end - signup.astype("datetime64[s]")) / day, 0.0)

    def draw_times(rate_per_30d: Any, thin_before_churn: float) -> tuple[Any, Any]:
        """Per-customer Poisson counts of events uniform over the active span; events in the
        60 days before churn are kept with probability ``thin_before_churn``."""
        counts = rng.poisson(rate_per_30d * span_days / 30.0)
        owner = np.repeat(np.arange(n), counts)
        offsets = rng.random(len(owner)) * span_days[owner] * sec_per_day
        times = signup.astype("datetime64[s]")[owner] + offsets.astype("int64") * \
            np.timedelta64(1, "s")
        near = churned[owner] & ((active_end[owner] - times) < 60 * day)
        keep = ~near | (rng.random(len(owner)) < thin_before_churn)
        order = np.lexsort((times[keep], owner[keep]))
        return owner[keep][order], times[keep][order]

    # ---- products
    n_products = 200
    categories = np.array(["electronics", "home", "beauty", "sports", "toys", "books",
                           "grocery", "fashion"])
    products = pd.DataFrame({
        "product_id": _ids("P", n_products),
        "product_name": [f"product {i}" for i in range(n_products)],
        "category": categories[rng.integers(0, len(categories), n_products)],
        "subcategory": [f"sub {i % 23}" for i in range(n_products)],
        "unit_price": np.round(rng.lognormal(np.log(40), 0.6, n_products), 2),
        "is_active": rng.random(n_products) < 0.95,
    })

    # ---- orders
    o_owner, o_time = draw_times(0.33 * value, 0.35)
    n_orders = len(o_owner)
    status = rng.choice(["completed", "cancelled", "returned", "pending"], n_orders,
                        p=[0.86, 0.07, 0.05, 0.02])
    orders = pd.DataFrame({
        "order_id": _ids("O", n_orders),
        "customer_id": cust[o_owner],
        "order_date": o_time.astype("datetime64[D]"),
        "order_status": status,
        "total_amount": np.round(aov[o_owner] * rng.lognormal(0, 0.35, n_orders), 2),
        "product_id": products["product_id"].to_numpy()[rng.integers(0, n_products, n_orders)],
        "quantity": rng.integers(1, 5, n_orders),
        "channel": rng.choice(["web", "mobile", "in-store", "partner"], n_orders,
                              p=[0.45, 0.35, 0.15, 0.05]),
    })

    # ---- transactions: one purchase per non-cancelled order, plus standalone attempts
    paid = status != "cancelled"
    s_owner, s_time = draw_times(np.where(fraud, 8.0, 1.4) * np.sqrt(value), 0.5)
    t_owner = np.concatenate([o_owner[paid], s_owner])
    t_time = np.concatenate([o_time[paid] + rng.integers(0, 3600, paid.sum()) *
                             np.timedelta64(1, "s"), s_time])
    n_txn = len(t_owner)
    is_fraud_txn = fraud[t_owner] & (rng.random(n_txn) < 0.6)
    night = is_fraud_txn & (rng.random(n_txn) < 0.7)
    t_time = np.where(night, t_time.astype("datetime64[D]").astype("datetime64[s]") +
                      rng.integers(0, 5 * 3600, n_txn) * np.timedelta64(1, "s"), t_time)
    amount = np.concatenate([orders["total_amount"].to_numpy()[paid],
                             np.round(rng.lognormal(np.log(25), 0.8, len(s_owner)), 2)])
    amount = np.where(is_fraud_txn, np.round(amount * rng.uniform(3, 12, n_txn), 2), amount)
    ttype = np.where(rng.random(n_txn) < 0.04, "refund",
                     np.where(rng.random(n_txn) < 0.05, "fee", "purchase"))
    amount = np.where(ttype == "refund", -amount, amount)
    failed = rng.random(n_txn) < np.where(is_fraud_txn, 0.45, 0.04)
    tstatus = np.where(failed, "failed", np.where(rng.random(n_txn) < 0.01, "reversed",
                                                  "success"))
    order_ids = np.concatenate([orders["order_id"].to_numpy()[paid],
                                np.full(len(s_owner), None, dtype=object)])
    transactions = pd.DataFrame({
        "transaction_id": _ids("T", n_txn),
        "customer_id": cust[t_owner],
        "order_id": order_ids,
        "transaction_date": t_time,
        "amount": amount,
        "currency": np.where(is_fraud_txn & (rng.random(n_txn) < 0.6),
                             rng.choice(["EUR", "GBP", "NGN", "RUB"], n_txn), "USD"),
        "payment_method": np.where(is_fraud_txn, rng.choice(["card", "wallet"], n_txn),
                                   rng.choice(["card", "ach", "wallet", "wire"], n_txn,
                                              p=[0.6, 0.2, 0.15, 0.05])),
        "transaction_type": ttype,
        "status": tstatus,
        "merchant_id": np.where(is_fraud_txn, _ids("MX", n_txn) if n_txn else [],
                                _ids("M", 50)[rng.integers(0, 50, n_txn)]),
    }).sort_values("transaction_date", kind="mergesort").reset_index(drop=True)

    # ---- events: sessions of 1..8 events, plus anonymous traffic
    sess_owner, sess_time = draw_times(0.6 * engage * np.sqrt(value), 0.3)
    n_sess = len(sess_owner)
    per = rng.integers(1, 9, n_sess)
    e_sess = np.repeat(np.arange(n_sess), per)
    step = np.concatenate([np.arange(k) for k in per]) if n_sess else np.array([], int)
    e_time = sess_time[e_sess] + (step * rng.integers(5, 240, len(e_sess))) * \
        np.timedelta64(1, "s")
    device = rng.choice(["mobile", "desktop", "tablet"], n_sess, p=[0.55, 0.38, 0.07])
    anon = rng.random(len(e_sess)) < 0.05
    events = pd.DataFrame({
        "event_id": _ids("E", len(e_sess)),
        "customer_id": np.where(anon, None, cust[sess_owner[e_sess]]),
        "session_id": _ids("S", n_sess)[e_sess],
        "event_type": rng.choice(["page_view", "click", "form_submit", "login", "logout"],
                                 len(e_sess), p=[0.6, 0.2, 0.05, 0.1, 0.05]),
        "page_url": np.char.add("/p/", rng.integers(0, 300, len(e_sess)).astype(str)),
        "event_timestamp": np.minimum(e_time, end - np.timedelta64(1, "s")),
        "device_type": device[e_sess],
        "browser": rng.choice(["chrome", "safari", "firefox", "edge"], len(e_sess)),
    })

    # ---- campaigns
    c_owner, c_time = draw_times(np.full(n, 0.17), 1.0)
    n_camp = len(c_owner)
    opened = rng.random(n_camp) < np.clip(0.25 * engage[c_owner], 0, 0.9)
    clicked = opened & (rng.random(n_camp) < 0.3)
    converted = clicked & (rng.random(n_camp) < 0.25 * np.minimum(value[c_owner], 2))
    open_delay = rng.integers(600, 3 * 86_400, n_camp) * np.timedelta64(1, "s")
    campaigns = pd.DataFrame({
        "campaign_id": _ids("K", n_camp),
        "customer_id": cust[c_owner],
        "campaign_name": rng.choice(["spring sale", "welcome", "winback", "newsletter"], n_camp),
        "channel": rng.choice(["email", "sms", "push", "in-app"], n_camp,
                              p=[0.6, 0.15, 0.15, 0.1]),
        "sent_at": c_time,
        "opened_at": np.where(opened, c_time + open_delay, np.datetime64("NaT")),
        "clicked_at": np.where(clicked, c_time + open_delay + np.timedelta64(90, "s"),
                               np.datetime64("NaT")),
        "converted": converted,
    })
    for col in ("opened_at", "clicked_at"):  # nothing recorded after the data's end
        campaigns.loc[campaigns[col] >= end, col] = pd.NaT

    # ---- support tickets: a base rate, and a burst of unhappy tickets before churn
    k_owner, k_time = draw_times(np.full(n, 0.012), 1.0)
    pre = np.flatnonzero(churned & (rng.random(n) < 0.12))
    pre_time = active_end[pre] - rng.integers(1, 60 * 86_400, len(pre)) * np.timedelta64(1, "s")
    k_owner = np.concatenate([k_owner, pre])
    k_time = np.concatenate([k_time, pre_time])
    unhappy = np.concatenate([np.zeros(len(k_owner) - len(pre), bool), np.ones(len(pre), bool)])
    keep = k_time >= signup.astype("datetime64[s]")[k_owner]
    k_owner, k_time, unhappy = k_owner[keep], k_time[keep], unhappy[keep]
    n_tk = len(k_owner)
    resolve = k_time + rng.integers(3600, 10 * 86_400, n_tk) * np.timedelta64(1, "s")
    unresolved = (rng.random(n_tk) < 0.1) | (resolve >= end)
    csat = np.where(unhappy, rng.integers(1, 3, n_tk), rng.integers(3, 6, n_tk)).astype(float)
    csat = np.where(unresolved | (rng.random(n_tk) < 0.3), np.nan, csat)
    tickets = pd.DataFrame({
        "ticket_id": _ids("H", n_tk),
        "customer_id": cust[k_owner],
        "created_at": k_time,
        "resolved_at": np.where(unresolved, np.datetime64("NaT"), resolve),
        "category": rng.choice(["billing", "fraud", "technical", "account", "general"], n_tk),
        "priority": np.where(unhappy, rng.choice(["high", "critical"], n_tk),
                             rng.choice(["low", "medium", "high"], n_tk, p=[0.5, 0.4, 0.1])),
        "status": np.where(unresolved, "open", "resolved"),
        "satisfaction_score": pd.array(csat, dtype="Float64").astype("Int64"),
    })

    customers = pd.DataFrame({
        "customer_id": cust,
        "first_name": "ann", "last_name": "lee",
        "email": np.char.add(cust.astype(str), "@example.com"),
        "phone": None,
        "signup_date": signup,
        "state": rng.choice(["CA", "NY", "TX", "WA"], n),
        "country": "US",
        "kyc_status": rng.choice(["verified", "pending"], n, p=[0.9, 0.1]),
        "account_status": np.where(churned, "dormant", "active"),
        "preferred_language": "en",
    })
    # the generator's ground-truth columns (include/c360/generator/README.md), as far as this
    # world has them: churn happens only within the simulated history here
    truth = pd.DataFrame({
        "customer_id": cust,
        "signup_date": signup,
        "in_history": True,
        "is_churner": churned,
        "churn_date": pd.Series(np.where(churned, churn_at, np.datetime64("NaT"))).dt.date,
        "churned_by_as_of": churned,
        "is_fraud_actor": fraud,
    })
    loaded = pd.Timestamp(datetime.combine(spec.as_of + timedelta(days=1), datetime.min.time()))
    tables = {
        "stg_customers": customers, "stg_orders": orders, "stg_transactions": transactions,
        "stg_events": events, "stg_products": products, "stg_campaigns": campaigns,
        "stg_support_tickets": tickets,
    }
    for frame in tables.values():
        frame["_loaded_at"] = loaded
    return {**tables, "_ground_truth": truth}


def write_world(con: Any, world: dict[str, Any], ground_truth_dir: Path | None = None,
                with_features: bool = True) -> dict[str, int]:
    """Create the staging tables (and the feature tables) in a DuckDB connection."""
    con.execute("create schema if not exists staging")
    counts: dict[str, int] = {}
    for name, frame in world.items():
        if name.startswith("_"):
            continue
        con.register("_world_frame", frame)
        con.execute(f"create or replace table staging.{name} as select * from _world_frame")
        con.unregister("_world_frame")
        counts[name] = len(frame)
    if with_features:
        build_feature_tables(con)
    if ground_truth_dir is not None:
        ground_truth_dir.mkdir(parents=True, exist_ok=True)
        world["_ground_truth"].to_parquet(ground_truth_dir / "customers.parquet", index=False)
    return counts


def build_feature_tables(con: Any) -> None:
    con.execute("create schema if not exists features")
    for statement in FEATURES_SQL.read_text().split(";"):
        if statement.strip():
            con.execute(statement)


def make_world_db(path: Path, spec: WorldSpec, ground_truth_dir: Path | None = None
                  ) -> dict[str, int]:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        return write_world(con, build_world(spec), ground_truth_dir)
    finally:
        con.close()
