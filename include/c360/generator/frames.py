"""The exported rows of each source as a ``Frame`` (numeric, sorted by landing bucket).

Customers, orders and support tickets export a new version of a key when its state changes
(status-update re-exports); every source gets duplicate re-exports and late arrivals at the
rates of ``dirt.DIRT``. Dirt spellings are drawn before duplication, so a duplicate is an
identical copy of the row it repeats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.generator.world import (
    ANON_SESSION_SHARE,
    DAY,
    HOURS_ACTIVITY,
    HOURS_BUSINESS,
    NEVER,
    Frame,
    World,
)
from include.c360.sources import source

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


def _codes(w: World, source: str, col: str, n: int, case: float, ws: float) -> np.ndarray:
    return w.dirt_codes(source, col, n, case, ws)


def _within_end(w: World, bucket, hourly: bool):
    return (bucket // 24 if hourly else bucket) <= w.end


def customers_frame(w: World) -> Frame:
    import numpy as np

    c = w.customers
    cust, day = c["v_cust"], c["v_day"]
    n = len(cust)
    ent = {  # per customer: the CRM stores the dirty spelling, every export repeats it
        "first_code": _codes(w, "customers", "first_name", c["n"], D.NAME_CASE, D.NAME_WS),
        "last_code": _codes(w, "customers", "last_name", c["n"], D.NAME_CASE, D.NAME_WS),
        "country_code": _codes(w, "customers", "country", c["n"], D.CODE_CASE, D.CODE_WS),
        "state_code": _codes(w, "customers", "state", c["n"], D.CODE_CASE, D.CODE_WS),
        "lang_null": w.rng("dirt/customers/preferred_language").random(c["n"]) < D.LANGUAGE_NULL,
    }
    cols = {"cust": cust, "kyc": c["v_kyc"], "acc": c["v_acc"],
            "kyc_code": _codes(w, "customers", "kyc_status", n, D.ENUM_CASE, D.ENUM_WS),
            "acc_code": _codes(w, "customers", "account_status", n, D.ENUM_CASE, D.ENUM_WS),
            "version": np.ones(n, np.int8)}
    cols.update({k: v[cust] for k, v in ent.items()})
    frame = Frame("customers", cols, day.astype(np.int64), hourly=False)
    frame, _ = w.add_reexports(frame, cust, w.rng("reexport/customers"))
    return frame.sort(key=frame.cols["cust"])


def orders_frame(w: World) -> Frame:
    import numpy as np

    o = w.orders
    m = o["n"]
    idx = np.arange(m)
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
    keep = _within_end(w, bucket, False)
    oi, st, bucket = oi[keep], st[keep], bucket[keep]
    n = len(oi)
    cols = {"order": oi, "status": st,
            "status_code": _codes(w, "orders", "order_status", n, D.ENUM_CASE, D.ENUM_WS),
            "chan_code": _codes(w, "orders", "channel", n, D.ENUM_CASE, D.ENUM_WS)}
    frame, _ = w.add_reexports(Frame("orders", cols, bucket, False), oi,
                               w.rng("reexport/orders"))
    return frame.sort(ts=o["ts"][frame.cols["order"]])


def campaigns_frame(w: World) -> Frame:
    import numpy as np

    s = w.campaigns
    rng = w.rng("frames/campaigns")
    m = len(s["camp"])
    # a send is exported once its 7-day attribution window has closed
    export_ts = s["sent"] + 7 * DAY
    bucket = w.land_bucket(export_ts + w.late_delay(rng, "campaigns", m, 0), hourly=False)
    idx = np.arange(m)
    keep = _within_end(w, bucket, False)
    cols = {"send": idx[keep],
            "chan_code": _codes(w, "campaigns", "channel", m, D.ENUM_CASE, D.ENUM_WS)[keep]}
    frame, _ = w.add_reexports(Frame("campaigns", cols, bucket[keep], False), idx[keep],
                               w.rng("reexport/campaigns"))
    return frame.sort(ts=s["sent"][frame.cols["send"]])


def transactions_frame(w: World) -> tuple[Frame, dict[str, Any]]:
    """Payments: order payments (+ failed retries, refunds), standalone ledger activity and
    fraud-actor bursts. Returns the frame and the per-transaction arrays it indexes."""
    import numpy as np

    rng = w.rng("transactions")
    cu, o = w.customers, w.orders
    n_c = cu["n"]
    home_cur = np.array([P.CURRENCIES.index(x[2]) for x in P.COUNTRIES])[cu["country"]]
    usd_per = np.array([P.USD_PER_UNIT[c] for c in P.CURRENCIES])
    parts: list[dict[str, Any]] = []

    def part(cust, ts, amount_usd, cur, typ, status, method, merchant, order, fraud):
        k = len(cust)
        parts.append({
            "cust": np.asarray(cust, np.int32), "ts": np.asarray(ts, np.int64),
            "usd": np.broadcast_to(amount_usd, k).astype(float),
            "cur": np.broadcast_to(cur, k).astype(np.int8),
            "type": np.broadcast_to(typ, k).astype(np.int8),
            "status": np.broadcast_to(status, k).astype(np.int8),
            "method": np.broadcast_to(method, k).astype(np.int8),
            "merchant": np.broadcast_to(merchant, k).astype(np.int32),
            "order": np.broadcast_to(order, k).astype(np.int32),
            "fraud": np.broadcast_to(fraud, k).astype(bool),
        })

    m = o["n"]
    oc = o["cust"]
    method = np.where(rng.random(m) < 0.8, cu["pref_payment"][oc],
                      w.choice(rng, m, (0.7, 0.08, 0.2, 0.02)))
    pay_ts = o["ts"] + rng.integers(5, 120, size=m)
    final = o["final"]
    status = np.where(final == 1, np.where(rng.random(m) < 0.5, 1, 3),
                      np.where((final == 2), 2, 0))
    store = 1 + o["chan"].astype(np.int64)  # the shop's own merchant accounts, one per channel
    part(oc, pay_ts, o["total"], 0, 0, status, method, store, np.arange(m), False)
    retry = rng.random(m) < 0.04
    part(oc[retry], pay_ts[retry] - rng.integers(30, 300, size=int(retry.sum())),
         o["total"][retry], 0, 0, 1, method[retry], store[retry], np.flatnonzero(retry), False)
    ret = o["ret"]
    r_ts = o["d2"][ret] * DAY + w.seconds_in_day(rng, int(ret.sum()))
    part(oc[ret], r_ts, -o["total"][ret], 0, 1, 0, method[ret], store[ret],
         np.flatnonzero(ret), False)
    # fraud bursts: velocity at night, foreign currencies, failures, large amounts, many merchants
    bc, bts = cu["burst_cust"], cu["burst_ts"]
    nb = rng.integers(6, 21, size=len(bc))
    fc = np.repeat(bc, nb)
    fts = np.repeat(bts, nb) + rng.integers(0, 150 * 60, size=len(fc))
    f = len(fc)
    # card testing (small amounts, mostly declined), then cash-out (8-25x the usual amount)
    testing = rng.random(f) < 0.6
    f_usd = np.where(testing, rng.uniform(0.5, 5, size=f),
                     35 * cu["value_mult"][fc] ** 0.8 * rng.uniform(8, 25, size=f))
    f_cur = np.where(rng.random(f) < 0.6, rng.integers(1, len(P.CURRENCIES), size=f),
                     home_cur[fc])
    f_status = np.where(rng.random(f) < np.where(testing, 0.6, 0.3), 1, 0)
    n_merch = max(300, round(20000 * w.cfg.scale))
    f_merch = 5 + rng.integers(0, n_merch, size=f)
    f_method = np.where(rng.random(f) < 0.8, 0, 2)
    part(fc, fts, f_usd, f_cur, 0, f_status, f_method, f_merch, -1, True)

    # standalone ledger activity (order_id null)
    n_order_hist = sum(int((p["ts"] // DAY <= w.as_of).sum()) for p in parts)
    target = max(0, w.cfg.volume("transactions") - n_order_hist)
    lo = np.maximum(cu["signup_day"], w.start)
    hi = np.minimum(cu["activity_end"] - 1, w.end)
    w_all = w.window_weight(lo, hi)
    f_w, r_w = w.fading_weight(lo, np.minimum(hi, w.as_of), cu["churn_day"])
    k = target / max(1e-9, float((cu["txn_rate"] * (f_w + r_w)).sum()))
    cnt = rng.poisson(k * cu["txn_rate"] * w_all)
    sc = np.repeat(np.arange(n_c), cnt)
    sd = w.sample_days(rng, lo[sc], hi[sc])
    keep = w.churn_keep(rng, sc, sd)
    sc, sd = sc[keep], sd[keep]
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
    part(sc, sts, usd, cur, typ, stt, smethod, merchant, -1, False)
    t = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    parts.clear()
    amount = t["usd"] / usd_per[t["cur"]]
    t["amount"] = np.where(t["cur"] == P.CURRENCIES.index("JPY"), np.round(amount, 0),
                           np.round(amount, 2))
    del t["usd"]
    keep = (t["ts"] // DAY >= w.start) & (t["ts"] // DAY <= w.end)
    t = {key: v[keep] for key, v in t.items()}
    order = np.argsort(t["ts"], kind="stable")
    t = {key: v[order] for key, v in t.items()}
    n = len(t["ts"])
    delay = w.late_delay(rng, "transactions", n, 20 * 60)
    hourly = source("transactions").hourly_increments
    per_day = 24 if hourly else 1
    bucket = w.land_bucket(t["ts"] + delay, hourly=hourly)
    # a payment never lands before the order it pays (late orders delay their payments)
    has_order = t["order"] >= 0
    order_land = o["land0"][np.maximum(t["order"], 0)] * per_day
    bucket = np.where(has_order, np.maximum(bucket, order_land), bucket)
    idx = np.arange(n)
    ok = _within_end(w, bucket, hourly)
    cols = {"txn": idx[ok],
            "cur_lower": (w.rng("dirt/transactions/currency").random(n) < D.CURRENCY_CASE)[ok]}
    for col in ("transaction_type", "status", "payment_method"):
        cols[col + "_code"] = _codes(w, "transactions", col, n, D.ENUM_CASE, 0.0)[ok]
    frame, _ = w.add_reexports(Frame("transactions", cols, bucket[ok], hourly), idx[ok],
                               w.rng("reexport/transactions"))
    return frame.sort(ts=t["ts"][frame.cols["txn"]]), t


def events_frame(w: World) -> tuple[Frame, dict[str, Any]]:
    import numpy as np

    rng = w.rng("events")
    cu = w.customers
    n_c = cu["n"]
    mean_events = 5.0
    lo = np.maximum(cu["signup_day"], w.start)
    hi = np.minimum(cu["activity_end"] - 1, w.end)
    w_all = w.window_weight(lo, hi)
    f_w, r_w = w.fading_weight(lo, np.minimum(hi, w.as_of), cu["churn_day"], power=1.5)
    # identified sessions: 5 events on average, 1/0.45 while fading; anonymous: 5
    known_events = float((cu["session_rate"] * (f_w * mean_events + r_w / 0.45)).sum())
    n_bursts_hist = int((cu["burst_ts"] // DAY <= w.as_of).sum())
    budget = w.cfg.volume("events") - 3 * n_bursts_hist
    # anonymous sessions are ANON_SESSION_SHARE of all sessions
    known_sessions = float((cu["session_rate"] * (f_w + r_w)).sum())
    anon_per_known = ANON_SESSION_SHARE / (1 - ANON_SESSION_SHARE)
    k = budget / max(1e-9, known_events + anon_per_known * known_sessions * mean_events)
    cnt = rng.poisson(k * cu["session_rate"] * w_all)
    sc = np.repeat(np.arange(n_c), cnt)
    sd = w.sample_days(rng, lo[sc], hi[sc])
    keep = w.churn_keep(rng, sc, sd, power=1.5)
    sc, sd = sc[keep], sd[keep]
    # anonymous sessions: ANON_SESSION_SHARE of the history's sessions, same daily weights
    hist_share = w.cw_activity[w.h_days] / w.cw_activity[w.n_days]
    n_known_hist = int((sd <= w.as_of).sum())
    n_anon = int(round(n_known_hist * anon_per_known / hist_share))
    ad = w.sample_days(rng, np.full(n_anon, w.start), np.full(n_anon, w.end))
    s_cust = np.concatenate([sc, np.full(n_anon, -1)])
    s_day = np.concatenate([sd, ad])
    ns = len(s_cust)
    s_ts = s_day * DAY + w.seconds_in_day(rng, ns, HOURS_ACTIVITY)
    known = s_cust >= 0
    pref_dev = np.where(known, cu["pref_device"][np.maximum(s_cust, 0)], 0)
    dev = np.where(rng.random(ns) < 0.8, pref_dev, w.choice(rng, ns, (0.55, 0.35, 0.10)))
    dd = np.where(known, cu["churn_day"][np.maximum(s_cust, 0)] - s_day, NEVER)
    fading = dd < 90
    n_ev = np.where(fading, rng.geometric(0.45, size=ns), rng.geometric(1 / mean_events, size=ns))
    n_ev = np.minimum(n_ev, 60)
    rare = np.zeros(ns, bool)
    # account-takeover sessions of fraud actors: a new device and browser just before a burst
    bc, bts = cu["burst_cust"], cu["burst_ts"]
    nb = len(bc)
    s_cust = np.concatenate([s_cust, bc])
    s_ts = np.concatenate([s_ts, bts - rng.integers(300, 900, size=nb)])
    other = (cu["pref_device"][bc] + rng.integers(1, 3, size=nb)) % 3
    dev = np.concatenate([dev, other])
    n_ev = np.concatenate([n_ev, np.full(nb, 3)])
    fading = np.concatenate([fading, np.zeros(nb, bool)])
    rare = np.concatenate([rare, np.ones(nb, bool)])
    ns = len(s_cust)
    # browsers: by device, or a rare one for takeover sessions
    browsers = sorted({b for v in P.BROWSERS.values() for b, _ in v} | set(P.RARE_BROWSERS))
    brow = np.zeros(ns, np.int16)
    for d_i, d_name in enumerate(P.DEVICE_TYPES):
        mk = dev == d_i
        opts = P.BROWSERS[d_name]
        pick = w.choice(rng, int(mk.sum()), [p for _, p in opts])
        brow[mk] = np.array([browsers.index(b) for b, _ in opts])[pick]
    rare_pick = np.array([browsers.index(b) for b in P.RARE_BROWSERS])
    brow[rare] = rare_pick[rng.integers(0, len(rare_pick), size=int(rare.sum()))]
    # sessions are numbered in start-time order
    s_order = np.lexsort((s_cust, s_ts))
    s_cust, s_ts, dev, n_ev, fading, rare, brow = (
        a[s_order] for a in (s_cust, s_ts, dev, n_ev, fading, rare, brow))
    # events (numbered in session order; a file is ordered by time by Frame.sort)
    e_sess = np.repeat(np.arange(ns, dtype=np.int32), n_ev)
    ne = len(e_sess)
    first = np.concatenate([[0], np.cumsum(n_ev)[:-1]])
    pos = np.arange(ne, dtype=np.int32) - np.repeat(first, n_ev).astype(np.int32)
    gap = rng.exponential(1.0, size=ne) * np.where(fading, 18.0, 45.0)[e_sess]
    gap[pos == 0] = 0
    csum = np.cumsum(gap)
    e_ts = s_ts[e_sess] + (csum - np.repeat(csum[first], n_ev)).astype(np.int64)
    del gap, csum
    known_e = s_cust[e_sess] >= 0
    typ = w.choice(rng, ne, (0.65, 0.27, 0.08, 0, 0))  # page_view / click / form_submit
    is_first, is_last = pos == 0, pos == n_ev[e_sess] - 1
    typ = np.where(is_first, np.where(known_e & (rng.random(ne) < 0.35), 3, 0), typ)
    typ = np.where(is_last & ~is_first & known_e & (rng.random(ne) < 0.2), 4, typ)
    rare_e = rare[e_sess]
    typ = np.where(rare_e, np.array([3, 0, 2])[np.minimum(pos, 2)], typ).astype(np.int8)
    n_url = len(_url_pool(w))
    url = ((n_url - _URL_FIXED) * rng.random(ne) ** 2.5).astype(np.int16) + _URL_FIXED
    url = np.where(typ == 3, 0, np.where(typ == 4, 1, url))
    url = np.where(typ == 2, 2 + (rng.random(ne) < 0.5), url)
    url = np.where(rare_e & (pos == 2), 4, url).astype(np.int16)
    keep = (e_ts // DAY >= w.start) & (e_ts // DAY <= w.end)
    ev = {"sess": e_sess[keep], "ts": e_ts[keep], "type": typ[keep], "url": url[keep],
          "cust": s_cust.astype(np.int32)[e_sess[keep]], "dev": dev[e_sess[keep]],
          "brow": brow[e_sess[keep]], "browsers": browsers}
    del e_sess, e_ts, typ, url, keep, pos, known_e, rare_e, is_first, is_last
    n = len(ev["ts"])
    delay = w.late_delay(rng, "events", n, 10 * 60)
    hourly = source("events").hourly_increments
    bucket = w.land_bucket(ev["ts"] + delay, hourly=hourly)
    del delay
    idx = np.arange(n)
    ok = _within_end(w, bucket, hourly)
    cols = {"ev": idx[ok],
            "dev_code": _codes(w, "events", "device_type", n, D.ENUM_CASE, 0.0)[ok]}
    frame, _ = w.add_reexports(Frame("events", cols, bucket[ok], hourly), idx[ok],
                               w.rng("reexport/events"))
    return frame.sort(ts=ev["ts"][frame.cols["ev"]]), ev


_URL_FIXED = 5  # login, logout, checkout, contact form, payment methods


def _url_pool(w: World) -> list[str]:
    base = P.SITE
    fixed = [f"{base}/account/login", f"{base}/account/logout", f"{base}/checkout",
             f"{base}/help/contact", f"{base}/account/payment-methods"]
    urls = [f"{base}/", f"{base}/cart", f"{base}/deals", f"{base}/account/orders"]
    for name, _, subs in P.CATEGORIES:
        urls.append(f"{base}/c/{P.slug(name)}")
        urls.extend(f"{base}/c/{P.slug(name)}/{P.slug(s)}" for s in subs)
    urls.extend(f"{base}/search?q={t}" for t in w.pools.search_terms[:120])
    urls.extend(f"{base}/p/P{i + 1:06d}" for i in range(min(w.products["n"], 400)))
    return fixed + urls


def url_pool(w: World) -> list[str]:
    return _url_pool(w)


def tickets_frame(w: World) -> tuple[Frame, dict[str, Any]]:
    import numpy as np

    rng = w.rng("support_tickets")
    cu = w.customers
    n_c = cu["n"]
    target = w.cfg.volume("support_tickets")
    lo = np.maximum(cu["signup_day"], w.start)
    hi = np.minimum(cu["activity_end"] - 1, w.end)
    base = 0.5 + cu["activity"] ** 0.5
    w_hist = w.window_weight(lo, np.minimum(hi, w.as_of))
    n_reports_hist = 0.6 * int((cu["burst_ts"] // DAY <= w.as_of).sum())
    k = max(0.0, target * 0.8 - n_reports_hist) / max(1e-9, float((base * w_hist).sum()))
    cnt = rng.poisson(k * base * w.window_weight(lo, hi))
    tc = np.repeat(np.arange(n_c), cnt)
    td = w.sample_days(rng, lo[tc], hi[tc])
    kind = np.zeros(len(tc), np.int8)  # 0 normal, 1 pre-churn, 2 fraud report
    # churners: extra, urgent, unhappy tickets in the 90 days before they leave
    ch = np.flatnonzero((cu["churn_day"] < NEVER) & (cu["churn_day"] > w.start + 90))
    in_hist = np.clip((w.as_of - (cu["churn_day"][ch] - 90)) / 90, 0, 1).sum()
    lam = target * 0.2 / max(1.0, float(in_hist))
    ce = rng.poisson(lam, size=len(ch))
    cc = np.repeat(ch, ce)
    cd = cu["churn_day"][cc] - 1 - rng.integers(0, 90, size=len(cc))
    cd = np.maximum(cd, cu["signup_day"][cc])
    # fraud reports after a burst
    fr = rng.random(len(cu["burst_cust"])) < 0.6
    fc = cu["burst_cust"][fr]
    fd = cu["burst_ts"][fr] // DAY + rng.integers(0, 5, size=len(fc))
    cust = np.concatenate([tc, cc, fc])
    day = np.concatenate([td, cd, fd])
    kind = np.concatenate([kind, np.ones(len(cc), np.int8), np.full(len(fc), 2, np.int8)])
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
    csat_p = np.array([[.05, .07, .15, .33, .40], [.35, .30, .20, .10, .05],
                       [.20, .20, .30, .20, .10]])
    u = rng.random(m)
    csat = 1 + (u[:, None] > np.cumsum(csat_p[kind], axis=1)).sum(axis=1)
    csat = np.where(rng.random(m) < 0.55, np.minimum(csat, 5), -1)
    order = np.lexsort((cust, created))
    t = {"cust": cust, "created": created, "resolved_at": resolved_at, "cat": cat, "pri": pri,
         "interim": interim, "final": final, "csat": csat, "kind": kind}
    t = {key: v[order] for key, v in t.items()}
    # versions: created (interim status) and resolved (final status); same-day: final only
    b0 = w.land_bucket(t["created"] + w.late_delay(rng, "support_tickets", m, 0), False)
    res_day = np.where(t["resolved_at"] >= 0, t["resolved_at"] // DAY, NEVER)
    same_day = res_day == t["created"] // DAY
    v0_final = same_day
    has1 = (t["resolved_at"] >= 0) & ~same_day
    b1 = np.maximum(res_day, b0 + 1)
    idx = np.arange(m)
    tk = np.concatenate([idx, idx[has1]])
    is_final = np.concatenate([v0_final, np.ones(int(has1.sum()), bool)])
    bucket = np.concatenate([b0, b1[has1]]).astype(np.int64)
    ok = _within_end(w, bucket, False)
    tk, is_final, bucket = tk[ok], is_final[ok], bucket[ok]
    n = len(tk)
    cols = {"ticket": tk, "is_final": is_final}
    for col in ("category", "priority", "status"):
        cols[col + "_code"] = _codes(w, "support_tickets", col, n, D.ENUM_CASE, D.ENUM_WS)
    frame, _ = w.add_reexports(Frame("support_tickets", cols, bucket, False), tk,
                               w.rng("reexport/support_tickets"))
    return frame.sort(ts=t["created"][frame.cols["ticket"]]), t
