"""Payments ledger (source ``transactions``): order payments (with failed retries and
refunds of returns), fraud actors' bursts and standalone ledger activity, exported as
Parquet micro-batches by landing hour. A payment never lands before the order it pays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.generator.config import DAY
from include.c360.generator.export import arrow_table, customer_ids, nullable, timestamps
from include.c360.generator.strings import fixed_ids
from include.c360.generator.world import Frame, World
from include.c360.sources import source

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def _part(cust, ts, amount_usd, cur, typ, status, method, merchant, order, fraud
          ) -> dict[str, Any]:
    """One group of payments as typed arrays (scalars broadcast to every row)."""
    import numpy as np

    k = len(cust)
    return {
        "cust": np.asarray(cust, np.int32), "ts": np.asarray(ts, np.int64),
        "usd": np.broadcast_to(amount_usd, k).astype(float),
        "cur": np.broadcast_to(cur, k).astype(np.int8),
        "type": np.broadcast_to(typ, k).astype(np.int8),
        "status": np.broadcast_to(status, k).astype(np.int8),
        "method": np.broadcast_to(method, k).astype(np.int8),
        "merchant": np.broadcast_to(merchant, k).astype(np.int32),
        "order": np.broadcast_to(order, k).astype(np.int32),
        "fraud": np.broadcast_to(fraud, k).astype(bool),
    }


def simulate_payments(w: World, rng) -> dict[str, Any]:
    """Every payment attempt of the world, ordered by time (arrays indexed by payment)."""
    import numpy as np

    cu = w.customers
    home_cur = np.array([P.CURRENCIES.index(x[2]) for x in P.COUNTRIES])[cu["country"]]
    n_merch = max(300, round(20000 * w.cfg.scale))
    parts = _order_payments(w, rng)
    parts.append(_fraud_bursts(w, rng, home_cur, n_merch))
    n_order_hist = sum(int((p["ts"] // DAY <= w.as_of).sum()) for p in parts)
    parts.append(_ledger_activity(w, rng, home_cur, n_merch, n_order_hist))
    t = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    usd_per = np.array([P.USD_PER_UNIT[c] for c in P.CURRENCIES])
    amount = t["usd"] / usd_per[t["cur"]]
    t["amount"] = np.where(t["cur"] == P.CURRENCIES.index("JPY"), np.round(amount, 0),
                           np.round(amount, 2))
    del t["usd"]
    keep = (t["ts"] // DAY >= w.start) & (t["ts"] // DAY <= w.end)
    t = {key: v[keep] for key, v in t.items()}
    order = np.argsort(t["ts"], kind="stable")
    return {key: v[order] for key, v in t.items()}


def _order_payments(w: World, rng) -> list[dict[str, Any]]:
    """The payment of every order (USD, the shop's merchant account of the order's channel),
    a failed first attempt of 4 % of them, and the refund of every return."""
    import numpy as np

    cu, o = w.customers, w.orders
    m = o["n"]
    oc = o["cust"]
    method = np.where(rng.random(m) < 0.8, cu["pref_payment"][oc],
                      w.choice(rng, m, (0.7, 0.08, 0.2, 0.02)))
    pay_ts = o["ts"] + rng.integers(5, 120, size=m)
    final = o["final"]
    status = np.where(final == 1, np.where(rng.random(m) < 0.5, 1, 3),
                      np.where((final == 2), 2, 0))
    store = 1 + o["chan"].astype(np.int64)  # the shop's own merchant accounts, one per channel
    parts = [_part(oc, pay_ts, o["total"], 0, 0, status, method, store, np.arange(m), False)]
    retry = rng.random(m) < 0.04
    parts.append(_part(oc[retry], pay_ts[retry] - rng.integers(30, 300, size=int(retry.sum())),
                       o["total"][retry], 0, 0, 1, method[retry], store[retry],
                       np.flatnonzero(retry), False))
    ret = o["ret"]
    r_ts = o["d2"][ret] * DAY + w.seconds_in_day(rng, int(ret.sum()))
    parts.append(_part(oc[ret], r_ts, -o["total"][ret], 0, 1, 0, method[ret], store[ret],
                       np.flatnonzero(ret), False))
    return parts


def _fraud_bursts(w: World, rng, home_cur, n_merch: int) -> dict[str, Any]:
    """6-20 payments per burst at night, in foreign currencies, at random merchants: card
    testing (small amounts, mostly declined), then cash-out (8-25x the usual amount)."""
    import numpy as np

    cu = w.customers
    bc, bts = cu["burst_cust"], cu["burst_ts"]
    nb = rng.integers(6, 21, size=len(bc))
    fc = np.repeat(bc, nb)
    fts = np.repeat(bts, nb) + rng.integers(0, 150 * 60, size=len(fc))
    f = len(fc)
    testing = rng.random(f) < 0.6
    f_usd = np.where(testing, rng.uniform(0.5, 5, size=f),
                     35 * cu["value_mult"][fc] ** 0.8 * rng.uniform(8, 25, size=f))
    f_cur = np.where(rng.random(f) < 0.6, rng.integers(1, len(P.CURRENCIES), size=f),
                     home_cur[fc])
    f_status = np.where(rng.random(f) < np.where(testing, 0.6, 0.3), 1, 0)
    f_merch = 5 + rng.integers(0, n_merch, size=f)
    f_method = np.where(rng.random(f) < 0.8, 0, 2)
    return _part(fc, fts, f_usd, f_cur, 0, f_status, f_method, f_merch, -1, True)


def _ledger_activity(w: World, rng, home_cur, n_merch: int, n_order_hist: int
                     ) -> dict[str, Any]:
    """Standalone ledger payments (order_id null) by the calibrated activity draw, so the
    history holds the spec's volume: purchases, refunds, reversals and fees, mostly at the
    customer's favourite merchants, 3 % cross-border."""
    import numpy as np

    cu = w.customers
    target = max(0, w.cfg.volume("transactions") - n_order_hist)
    f_w, r_w = w.history_weight()
    k = target / max(1e-9, float((cu["txn_rate"] * (f_w + r_w)).sum()))
    sc, sd = w.draw_activity(rng, cu["txn_rate"], k)
    s = len(sc)
    sts = sd * DAY + w.seconds_in_day(rng, s)
    typ = w.choice(rng, s, (0.9, 0.03, 0.01, 0.06))
    mean = 35 * cu["value_mult"][sc] ** 0.8
    usd = rng.lognormal(np.log(mean), 0.8)
    usd = np.where(typ == 3, rng.uniform(1, 35, size=s), usd)
    usd = np.where((typ == 1) | (typ == 2), -rng.lognormal(np.log(30), 0.7, size=s), usd)
    stt = w.choice(rng, s, (0.94, 0.03, 0.015, 0.015))
    stt = np.where((typ != 0) & (stt == 3), 0, stt)  # only purchases get reversed
    cross = rng.random(s) < 0.03
    foreign = (home_cur[sc] + rng.integers(1, len(P.CURRENCIES), size=s)) % len(P.CURRENCIES)
    cur = np.where(cross, foreign, home_cur[sc])
    fav = cu["fav_merchant"][sc] % n_merch + np.minimum(rng.geometric(0.4, size=s) - 1, 9)
    popular = (n_merch * rng.random(s) ** 3).astype(np.int64)
    merchant = 5 + np.where(rng.random(s) < 0.7, fav % n_merch, popular)
    smethod = np.where(rng.random(s) < 0.85, cu["pref_payment"][sc],
                       w.choice(rng, s, (0.7, 0.08, 0.2, 0.02)))
    return _part(sc, sts, usd, cur, typ, stt, smethod, merchant, -1, False)


# ---- export ---------------------------------------------------------------------------------

def transactions_frame(w: World, rng, t: dict[str, Any]) -> Frame:
    """Payments by landing hour (a few minutes after the payment; late arrivals a day or
    two later), never before the landing of the order they pay."""
    import numpy as np

    n = len(t["ts"])
    delay = w.late_delay(rng, "transactions", n, 20 * 60)
    hourly = source("transactions").hourly_increments
    per_day = 24 if hourly else 1
    bucket = w.land_bucket(t["ts"] + delay, hourly=hourly)
    has_order = t["order"] >= 0
    order_land = w.orders["land0"][np.maximum(t["order"], 0)] * per_day
    bucket = np.where(has_order, np.maximum(bucket, order_land), bucket)
    idx = np.arange(n)
    ok = w.within_end(bucket, hourly)
    cols = {"txn": idx[ok],
            "cur_lower": (w.rng("dirt/transactions/currency").random(n) < D.CURRENCY_CASE)[ok]}
    for col in ("transaction_type", "status", "payment_method"):
        cols[col + "_code"] = w.dirt_codes("transactions", col, n, D.ENUM_CASE, 0.0)[ok]
    return w.exported("transactions", cols, "txn", bucket[ok], hourly, ts=t["ts"])


def transactions_table(col: dict[str, Any], t: dict[str, Any]) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    ti = col["txn"]
    order = t["order"][ti]
    cur_pool = pa.array([v for c in P.CURRENCIES for v in (c, c.lower())])
    arrays = {
        "transaction_id": fixed_ids("TXN", ti + 1, 10),
        "customer_id": customer_ids(t["cust"][ti]),
        "order_id": nullable(fixed_ids("ORD", np.maximum(order, 0) + 1, 9), order < 0),
        "transaction_date": timestamps(t["ts"][ti], "ms"),
        "amount": t["amount"][ti],
        "currency": cur_pool.take(pa.array(t["cur"][ti].astype(np.int64) * 2
                                           + col["cur_lower"])),
        "payment_method": D.dirty_take(P.PAYMENT_METHODS, "lower", t["method"][ti],
                                       col["payment_method_code"]),
        "transaction_type": D.dirty_take(P.TXN_TYPES, "lower", t["type"][ti],
                                         col["transaction_type_code"]),
        "status": D.dirty_take(P.TXN_STATUSES, "lower", t["status"][ti], col["status_code"]),
        "merchant_id": fixed_ids("MRC", t["merchant"][ti], 6),
    }
    return arrow_table("transactions", arrays)


def fraud_payments(t: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(payment index, time, customer) of every fraud-burst payment (ground truth)."""
    import numpy as np

    fraud = np.flatnonzero(t["fraud"])
    return fraud, t["ts"][fraud], t["cust"][fraud]


def export(w: World) -> tuple[Frame, Any]:
    """The ledger's exported payments and the function turning a slice into a table; the
    fraud-burst payments are kept on the world for the ground truth."""
    rng = w.rng("transactions")  # one stream: the simulation, then the landing delays
    t = simulate_payments(w, rng)
    w.__dict__["_fraud_txn"] = fraud_payments(t)
    return transactions_frame(w, rng, t), lambda col: transactions_table(col, t)
