"""Order management system (source ``orders``): orders placed by the calibrated activity
draw and by campaign sends, their products, amounts and lifecycle (pending ->
completed/cancelled, completed -> returned), and the OMS's daily exports (an order is
re-exported on every status change).

``simulate_orders`` is the ``World.orders`` stage the payments ledger pays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.generator.catalog import pick_products
from include.c360.generator.config import DAY, NEVER
from include.c360.generator.export import arrow_table, customer_ids, dates
from include.c360.generator.strings import fixed_ids
from include.c360.generator.world import Frame, World

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def simulate_orders(w: World) -> dict[str, Any]:
    """Orders in placement-time order, with their lifecycle and first landing day."""
    import numpy as np

    rng = w.rng("orders")
    cu, pr, cp = w.customers, w.products, w.campaigns
    f, r = w.history_weight()
    induced_hist = int((cp["induced_day"] <= w.as_of).sum())
    target = max(0, w.cfg.volume("orders") - induced_hist)
    k = target / max(1e-9, float((cu["activity"] * (f + r)).sum()))
    cust, day = w.draw_activity(rng, cu["activity"], k)
    n_org = len(cust)
    cust = np.concatenate([cust, cp["induced_cust"]])
    day = np.concatenate([day, cp["induced_day"]])
    m = len(cust)
    ts = day * DAY + w.seconds_in_day(rng, m)
    ind_cat = np.concatenate([np.full(n_org, -1), cp["induced_cat"]])
    induced = np.arange(m) >= n_org
    # order ids follow placement time: sort the few base columns now, draw the rest in order
    order = np.argsort(ts, kind="stable")
    cust, day, ts, ind_cat, induced = (a[order] for a in (cust, day, ts, ind_cat, induced))
    del order
    cum_pref = np.cumsum(cu["pref"], axis=1)  # per customer, then one gather per order
    cat = (rng.random(m)[:, None] * cum_pref[cust, -1:] > cum_pref[cust]).sum(axis=1)
    cat = np.where(ind_cat >= 0, ind_cat, np.minimum(cat, len(P.CATEGORIES) - 1))
    prod = pick_products(w, rng, cat, day)
    qty = 1 + np.minimum(rng.poisson(0.35 * cu["value_mult"][cust]), 11)
    margin = np.clip(rng.normal(0.22, 0.08, size=m), -0.15, 0.6)
    total = np.round(pr["price"][prod] * qty * (1 + margin), 2)
    chan = np.where(rng.random(m) < 0.65, cu["pref_channel"][cust],
                    w.choice(rng, m, (0.45, 0.35, 0.12, 0.08)))
    o = {"cust": cust, "day": day, "ts": ts, "prod": prod, "qty": qty, "total": total,
         "chan": chan}
    o.update(_lifecycle(rng, day))
    o["induced"] = induced
    o["n"] = m
    # landing day of the first export (late arrivals: a later day's file)
    delay = w.late_delay(w.rng("orders/landing"), "orders", m, 0)
    o["land0"] = w.land_bucket(o["ts"] + delay, hourly=False)
    return o


def _lifecycle(rng, day) -> dict[str, Any]:
    """Status codes: ``s0`` at placement, ``s1`` 1-3 days later for pending orders (-1 =
    none), a return 5-30 days after completion; ``final`` is the latest."""
    import numpy as np

    m = len(day)
    start_pending = rng.random(m) < 0.15
    u = rng.random(m)
    s0 = np.where(start_pending, 2, np.where(u < 0.05, 1, 0)).astype(np.int8)
    u1 = rng.random(m)
    s1 = np.where(u1 < 0.01, -1, np.where(u1 < 0.11, 1, 0)).astype(np.int8)
    s1 = np.where(start_pending, s1, -1)
    d1 = day + rng.integers(1, 4, size=m)
    completed_day = np.where(s0 == 0, day, np.where(s1 == 0, d1, NEVER))
    ret = (completed_day < NEVER) & (rng.random(m) < 0.055)
    d2 = completed_day + rng.integers(5, 31, size=m)
    final = np.where(ret, 3, np.where(s1 >= 0, s1, s0)).astype(np.int8)
    return {"s0": s0, "s1": s1, "d1": d1, "ret": ret, "d2": d2, "final": final}


# ---- export ---------------------------------------------------------------------------------

def orders_frame(w: World) -> Frame:
    """One row per order version: placed, the pending order's outcome, the return."""
    import numpy as np

    o = w.orders
    idx = np.arange(o["n"])
    b0 = o["land0"]
    has1 = o["s1"] >= 0
    b1 = np.maximum(o["d1"], b0 + 1)
    prev = np.where(has1, b1, b0)
    b2 = np.maximum(o["d2"], prev + 1)
    parts = [(idx, o["s0"], b0), (idx[has1], o["s1"][has1], b1[has1]),
             (idx[o["ret"]], np.full(int(o["ret"].sum()), 3, np.int8), b2[o["ret"]])]
    oi = np.concatenate([p[0] for p in parts])
    st = np.concatenate([p[1] for p in parts]).astype(np.int8)
    bucket = np.concatenate([p[2] for p in parts]).astype(np.int64)
    keep = w.within_end(bucket, False)
    oi, st, bucket = oi[keep], st[keep], bucket[keep]
    n = len(oi)
    cols = {"order": oi, "status": st,
            "status_code": w.dirt_codes("orders", "order_status", n, D.ENUM_CASE, D.ENUM_WS),
            "chan_code": w.dirt_codes("orders", "channel", n, D.ENUM_CASE, D.ENUM_WS)}
    return w.exported("orders", cols, "order", bucket, False, ts=o["ts"])


def orders_table(w: World, col: dict[str, Any]) -> pa.Table:
    o = w.orders
    oi = col["order"]
    arrays = {
        "order_id": fixed_ids("ORD", oi + 1, 9),
        "customer_id": customer_ids(o["cust"][oi]),
        "order_date": dates(o["day"][oi]),
        "order_status": D.dirty_take(P.ORDER_STATUSES, "lower", col["status"],
                                     col["status_code"]),
        "total_amount": o["total"][oi],
        "product_id": fixed_ids("P", o["prod"][oi] + 1, 6),
        "quantity": o["qty"][oi],
        "channel": D.dirty_take(P.ORDER_CHANNELS, "lower", o["chan"][oi], col["chan_code"]),
    }
    return arrow_table("orders", arrays)


def export(w: World) -> tuple[Frame, Any]:
    """The OMS's exported order versions and the function turning a slice into a table."""
    return orders_frame(w), lambda col: orders_table(w, col)
