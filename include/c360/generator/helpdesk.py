"""Helpdesk (source ``support_tickets``): ordinary tickets by the calibrated activity draw,
urgent unhappy tickets before a churner leaves and fraud reports after a burst; each ticket is
exported when created and again when resolved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.generator.config import DAY, HOURS_BUSINESS, NEVER
from include.c360.generator.export import arrow_table, customer_ids, timestamps
from include.c360.generator.strings import fixed_ids
from include.c360.generator.world import Frame, World

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

_CSAT_P = ((.05, .07, .15, .33, .40), (.35, .30, .20, .10, .05), (.20, .20, .30, .20, .10))


def simulate_tickets(w: World, rng) -> dict[str, Any]:
    """Every ticket of the world, ordered by creation time (arrays indexed by ticket);
    ``kind`` 0 = ordinary, 1 = before churn, 2 = fraud report."""
    import numpy as np

    cust, day, kind = _ticket_days(w, rng)
    keep = (day >= w.start) & (day <= w.end)
    cust, day, kind = cust[keep], day[keep], kind[keep]
    m = len(cust)
    created = day * DAY + w.seconds_in_day(rng, m, HOURS_BUSINESS)
    cat = np.select([kind == 0, kind == 1], [w.choice(rng, m, (.3, .06, .27, .2, .17)),
                                             w.choice(rng, m, (.35, .05, .3, .22, .08))], 1)
    pri = np.select([kind == 0, kind == 1], [w.choice(rng, m, (.38, .42, .15, .05)),
                                             w.choice(rng, m, (.1, .3, .4, .2))],
                    w.choice(rng, m, (0, 0, .5, .5)))
    median_h = np.array([72.0, 30.0, 10.0, 4.0])[pri]
    resolved_at = created + (rng.lognormal(np.log(median_h), 1.0) * 3600).astype(np.int64)
    never = rng.random(m) < 0.06
    resolved_at = np.where(never, -1, resolved_at)
    interim = np.where(rng.random(m) < 0.6, 0, 1).astype(np.int8)
    final = np.where(rng.random(m) < 0.65, 2, 3).astype(np.int8)
    u = rng.random(m)
    csat = 1 + (u[:, None] > np.cumsum(np.array(_CSAT_P)[kind], axis=1)).sum(axis=1)
    csat = np.where(rng.random(m) < 0.55, np.minimum(csat, 5), -1)
    order = np.lexsort((cust, created))
    t = {"cust": cust, "created": created, "resolved_at": resolved_at, "cat": cat, "pri": pri,
         "interim": interim, "final": final, "csat": csat, "kind": kind}
    return {key: v[order] for key, v in t.items()}


def _ticket_days(w: World, rng) -> tuple[Any, Any, Any]:
    """(customer, day, kind) of every ticket: 80 % of the history's volume ordinary (the
    calibrated activity draw, no fading), 20 % in churners' last 90 days, plus a report
    after 60 % of the fraud bursts."""
    import numpy as np

    cu = w.customers
    target = w.cfg.volume("support_tickets")
    lo, hi = w.active_span
    base = 0.5 + cu["activity"] ** 0.5
    w_hist = w.window_weight(lo, np.minimum(hi, w.as_of))
    n_reports_hist = 0.6 * int((cu["burst_ts"] // DAY <= w.as_of).sum())
    k = max(0.0, target * 0.8 - n_reports_hist) / max(1e-9, float((base * w_hist).sum()))
    tc, td = w.draw_activity(rng, base, k, fade_power=None)
    ch = np.flatnonzero((cu["churn_day"] < NEVER) & (cu["churn_day"] > w.start + 90))
    in_hist = np.clip((w.as_of - (cu["churn_day"][ch] - 90)) / 90, 0, 1).sum()
    lam = target * 0.2 / max(1.0, float(in_hist))
    ce = rng.poisson(lam, size=len(ch))
    cc = np.repeat(ch, ce)
    cd = cu["churn_day"][cc] - 1 - rng.integers(0, 90, size=len(cc))
    cd = np.maximum(cd, cu["signup_day"][cc])
    fr = rng.random(len(cu["burst_cust"])) < 0.6
    fc = cu["burst_cust"][fr]
    fd = cu["burst_ts"][fr] // DAY + rng.integers(0, 5, size=len(fc))
    kind = np.concatenate([np.zeros(len(tc), np.int8), np.ones(len(cc), np.int8),
                           np.full(len(fc), 2, np.int8)])
    return np.concatenate([tc, cc, fc]), np.concatenate([td, cd, fd]), kind


# ---- export ---------------------------------------------------------------------------------

def tickets_frame(w: World, rng, t: dict[str, Any]) -> Frame:
    """Versions: created (interim status) and resolved (final status); same-day: final only."""
    import numpy as np

    m = len(t["cust"])
    b0 = w.land_bucket(t["created"] + w.late_delay(rng, "support_tickets", m, 0), False)
    res_day = np.where(t["resolved_at"] >= 0, t["resolved_at"] // DAY, NEVER)
    same_day = res_day == t["created"] // DAY
    has1 = (t["resolved_at"] >= 0) & ~same_day
    b1 = np.maximum(res_day, b0 + 1)
    idx = np.arange(m)
    tk = np.concatenate([idx, idx[has1]])
    is_final = np.concatenate([same_day, np.ones(int(has1.sum()), bool)])
    bucket = np.concatenate([b0, b1[has1]]).astype(np.int64)
    ok = w.within_end(bucket, False)
    tk, is_final, bucket = tk[ok], is_final[ok], bucket[ok]
    n = len(tk)
    cols = {"ticket": tk, "is_final": is_final}
    for col in ("category", "priority", "status"):
        cols[col + "_code"] = w.dirt_codes("support_tickets", col, n, D.ENUM_CASE, D.ENUM_WS)
    return w.exported("support_tickets", cols, "ticket", bucket, False, ts=t["created"])


def tickets_table(col: dict[str, Any], t: dict[str, Any]) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    ti = col["ticket"]
    fin = col["is_final"]
    status = np.where(fin, t["final"][ti], t["interim"][ti])
    resolved = np.where(fin, t["resolved_at"][ti], -1)
    csat = np.where(fin, t["csat"][ti], -1)
    arrays = {
        "ticket_id": fixed_ids("TKT", ti + 1, 8),
        "customer_id": customer_ids(t["cust"][ti]),
        "created_at": timestamps(t["created"][ti]),
        "resolved_at": timestamps(resolved),
        "category": D.dirty_take(P.TICKET_CATEGORIES, "lower", t["cat"][ti],
                                 col["category_code"]),
        "priority": D.dirty_take(P.TICKET_PRIORITIES, "lower", t["pri"][ti],
                                 col["priority_code"]),
        "status": D.dirty_take(P.TICKET_STATUSES, "lower", status, col["status_code"]),
        "satisfaction_score": pa.array(np.maximum(csat, 0), pa.int64(), mask=csat < 0),
    }
    return arrow_table("support_tickets", arrays)


def export(w: World) -> tuple[Frame, Any]:
    """The helpdesk's exported ticket versions and the function turning a slice into a table."""
    rng = w.rng("support_tickets")  # one stream: the simulation, then the landing delays
    t = simulate_tickets(w, rng)
    return tickets_frame(w, rng, t), lambda col: tickets_table(col, t)
