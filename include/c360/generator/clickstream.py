"""Clickstream (source ``events``): identified and anonymous sessions, fraud actors'
account-takeover sessions, the events of each session (type, page, device, browser), exported
as NDJSON batches by landing hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.generator.config import DAY, HOURS_ACTIVITY, NEVER
from include.c360.generator.export import arrow_table, customer_ids, nullable, timestamps
from include.c360.generator.strings import hex_ids
from include.c360.generator.world import Frame, World
from include.c360.sources import source

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

ANON_SESSION_SHARE = 0.25
MEAN_EVENTS = 5.0  # events per session (1/0.45 while a churner fades)
_URL_FIXED = 5  # login, logout, checkout, contact form, payment methods


def simulate_events(w: World, rng) -> dict[str, Any]:
    """Every event of the world (arrays indexed by event, numbered in session order)."""
    s = _sessions(w, rng)
    _takeover_sessions(w, rng, s)
    s["brow"], browsers = _browsers(w, rng, s["dev"], s["rare"])
    return _events(w, rng, s, browsers)


def _sessions(w: World, rng) -> dict[str, Any]:
    """Identified sessions by the calibrated activity draw (fading as a churner leaves), so
    the history holds the spec's event volume with ANON_SESSION_SHARE anonymous sessions."""
    import numpy as np

    cu = w.customers
    f_w, r_w = w.history_weight(power=1.5)
    known_events = float((cu["session_rate"] * (f_w * MEAN_EVENTS + r_w / 0.45)).sum())
    n_bursts_hist = int((cu["burst_ts"] // DAY <= w.as_of).sum())
    budget = w.cfg.volume("events") - 3 * n_bursts_hist
    known_sessions = float((cu["session_rate"] * (f_w + r_w)).sum())
    anon_per_known = ANON_SESSION_SHARE / (1 - ANON_SESSION_SHARE)
    k = budget / max(1e-9, known_events + anon_per_known * known_sessions * MEAN_EVENTS)
    sc, sd = w.draw_activity(rng, cu["session_rate"], k, fade_power=1.5)
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
    n_ev = np.where(fading, rng.geometric(0.45, size=ns),
                    rng.geometric(1 / MEAN_EVENTS, size=ns))
    return {"cust": s_cust, "ts": s_ts, "dev": dev, "n_ev": np.minimum(n_ev, 60),
            "fading": fading, "rare": np.zeros(ns, bool)}


def _takeover_sessions(w: World, rng, s: dict[str, Any]) -> None:
    """Fraud actors' account-takeover sessions: a new device and a rare browser, 3 events,
    5-15 minutes before each burst."""
    import numpy as np

    cu = w.customers
    bc, bts = cu["burst_cust"], cu["burst_ts"]
    nb = len(bc)
    s["cust"] = np.concatenate([s["cust"], bc])
    s["ts"] = np.concatenate([s["ts"], bts - rng.integers(300, 900, size=nb)])
    other = (cu["pref_device"][bc] + rng.integers(1, 3, size=nb)) % 3
    s["dev"] = np.concatenate([s["dev"], other])
    s["n_ev"] = np.concatenate([s["n_ev"], np.full(nb, 3)])
    s["fading"] = np.concatenate([s["fading"], np.zeros(nb, bool)])
    s["rare"] = np.concatenate([s["rare"], np.ones(nb, bool)])


def _browsers(w: World, rng, dev, rare) -> tuple[Any, list[str]]:
    """A browser per session: by device, or a rare one for takeover sessions; returns the
    browser index per session and the browser names."""
    import numpy as np

    browsers = sorted({b for v in P.BROWSERS.values() for b, _ in v} | set(P.RARE_BROWSERS))
    brow = np.zeros(len(dev), np.int16)
    for d_i, d_name in enumerate(P.DEVICE_TYPES):
        mk = dev == d_i
        opts = P.BROWSERS[d_name]
        pick = w.choice(rng, int(mk.sum()), [p for _, p in opts])
        brow[mk] = np.array([browsers.index(b) for b, _ in opts])[pick]
    rare_pick = np.array([browsers.index(b) for b in P.RARE_BROWSERS])
    brow[rare] = rare_pick[rng.integers(0, len(rare_pick), size=int(rare.sum()))]
    return brow, browsers


def _events(w: World, rng, s: dict[str, Any], browsers: list[str]) -> dict[str, Any]:
    """The events of the sessions (numbered in start-time order): times by exponential gaps
    (shorter while fading), then types and pages (``_types_and_pages``)."""
    import numpy as np

    s_order = np.lexsort((s["cust"], s["ts"]))
    s = {key: v[s_order] for key, v in s.items()}
    n_ev = s["n_ev"]
    e_sess = np.repeat(np.arange(len(n_ev), dtype=np.int32), n_ev)
    ne = len(e_sess)
    first = np.concatenate([[0], np.cumsum(n_ev)[:-1]])
    pos = np.arange(ne, dtype=np.int32) - np.repeat(first, n_ev).astype(np.int32)
    gap = rng.exponential(1.0, size=ne) * np.where(s["fading"], 18.0, 45.0)[e_sess]
    gap[pos == 0] = 0
    csum = np.cumsum(gap)
    e_ts = s["ts"][e_sess] + (csum - np.repeat(csum[first], n_ev)).astype(np.int64)
    del gap, csum
    typ, url = _types_and_pages(w, rng, pos, n_ev[e_sess], s["cust"][e_sess] >= 0,
                                s["rare"][e_sess])
    keep = (e_ts // DAY >= w.start) & (e_ts // DAY <= w.end)
    return {"sess": e_sess[keep], "ts": e_ts[keep], "type": typ[keep], "url": url[keep],
            "cust": s["cust"].astype(np.int32)[e_sess[keep]], "dev": s["dev"][e_sess[keep]],
            "brow": s["brow"][e_sess[keep]], "browsers": browsers}


def _types_and_pages(w: World, rng, pos, n_ev, known, rare) -> tuple[Any, Any]:
    """Event types (a known session may start with a login and end with a logout; a takeover
    session is login, page view, form submit) and page urls (Zipf-like over the pool)."""
    import numpy as np

    ne = len(pos)
    typ = w.choice(rng, ne, (0.65, 0.27, 0.08, 0, 0))  # page_view / click / form_submit
    is_first, is_last = pos == 0, pos == n_ev - 1
    typ = np.where(is_first, np.where(known & (rng.random(ne) < 0.35), 3, 0), typ)
    typ = np.where(is_last & ~is_first & known & (rng.random(ne) < 0.2), 4, typ)
    typ = np.where(rare, np.array([3, 0, 2])[np.minimum(pos, 2)], typ).astype(np.int8)
    n_url = len(url_pool(w))
    url = ((n_url - _URL_FIXED) * rng.random(ne) ** 2.5).astype(np.int16) + _URL_FIXED
    url = np.where(typ == 3, 0, np.where(typ == 4, 1, url))
    url = np.where(typ == 2, 2 + (rng.random(ne) < 0.5), url)
    url = np.where(rare & (pos == 2), 4, url).astype(np.int16)
    return typ, url


def url_pool(w: World) -> list[str]:
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


# ---- export ---------------------------------------------------------------------------------

def events_frame(w: World, rng, ev: dict[str, Any]) -> Frame:
    """Events by landing hour (minutes after the event; late arrivals 1-3 days later)."""
    import numpy as np

    n = len(ev["ts"])
    delay = w.late_delay(rng, "events", n, 10 * 60)
    hourly = source("events").hourly_increments
    bucket = w.land_bucket(ev["ts"] + delay, hourly=hourly)
    del delay
    idx = np.arange(n)
    ok = w.within_end(bucket, hourly)
    cols = {"ev": idx[ok],
            "dev_code": w.dirt_codes("events", "device_type", n, D.ENUM_CASE, 0.0)[ok]}
    return w.exported("events", cols, "ev", bucket[ok], hourly, ts=ev["ts"])


def events_table(w: World, col: dict[str, Any], ev: dict[str, Any]) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    ei = col["ev"]
    cust = ev["cust"][ei]
    urls = w.__dict__.setdefault("_url_pool", pa.array(url_pool(w)))
    arrays = {
        "event_id": hex_ids("EV", ei),
        "customer_id": nullable(customer_ids(np.maximum(cust, 0)), cust < 0),
        "session_id": hex_ids("SS", ev["sess"][ei].astype(np.int64) + (1 << 40)),
        "event_type": pa.array(list(P.EVENT_TYPES)).take(pa.array(ev["type"][ei])),
        "page_url": urls.take(pa.array(ev["url"][ei])),
        "event_timestamp": timestamps(ev["ts"][ei]),
        "device_type": D.dirty_take(P.DEVICE_TYPES, "lower", ev["dev"][ei], col["dev_code"]),
        "browser": pa.array(ev["browsers"]).take(pa.array(ev["brow"][ei])),
    }
    return arrow_table("events", arrays)


def export(w: World) -> tuple[Frame, Any]:
    """The clickstream's exported events and the function turning a slice into a table."""
    rng = w.rng("events")  # one stream: the simulation, then the landing delays
    ev = simulate_events(w, rng)
    return events_frame(w, rng, ev), lambda col: events_table(w, col, ev)
