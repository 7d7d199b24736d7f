"""Marketing platform (source ``campaigns``): campaigns, their sends, opens and clicks, the
orders a send causes, and the export of each send once its attribution window has closed.

``simulate_sends`` is the ``World.campaigns`` stage (the OMS adds the orders sends caused);
``conversions`` (``World.converted``) is decided once the orders exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.generator.config import CHURN_DECAY_DAYS, DAY, HOURS_BUSINESS, NEVER
from include.c360.generator.export import arrow_table, customer_ids, timestamps, yyyymmdd
from include.c360.generator.strings import civil, fixed_ids
from include.c360.generator.world import Frame, World

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

CONVERT_AFTER_CLICK = 0.35
CONVERT_AFTER_OPEN = 0.04
CAMPAIGN_ATTRIBUTION_DAYS = 7


def simulate_sends(w: World) -> dict[str, Any]:
    """Campaigns (about three a week), their audiences, opens/clicks and induced orders."""
    import numpy as np

    rng = w.rng("campaigns")
    cu = w.customers
    n_camp = max(4, round(3 / 7 * w.n_days))
    day = np.sort(w.start + rng.integers(0, w.n_days, size=n_camp))
    ts = day * DAY + w.seconds_in_day(rng, n_camp, HOURS_BUSINESS)
    chan = w.choice(rng, n_camp, (0.55, 0.15, 0.2, 0.1))
    theme = rng.integers(0, len(P.CAMPAIGN_THEMES), size=n_camp)
    cat = np.where(rng.random(n_camp) < 0.4,
                   rng.integers(0, len(P.CATEGORIES), size=n_camp), -1)
    n_hist_camp = max(1, int((day <= w.as_of).sum()))
    aud = rng.poisson(w.cfg.volume("campaigns") / n_hist_camp, size=n_camp)
    s_camp = np.repeat(np.arange(n_camp), aud)
    n_elig = np.searchsorted(cu["signup_day"], day, side="right")[s_camp]
    s_cust = (rng.random(len(s_camp)) * n_elig).astype(np.int64)
    ok = n_elig > 0
    pair = np.unique(s_camp[ok].astype(np.int64) * cu["n"] + s_cust[ok])
    s_camp, s_cust = pair // cu["n"], pair % cu["n"]
    sent = ts[s_camp] + rng.integers(0, 7200, size=len(s_camp))
    s = {"camp_day": day, "camp_chan": chan, "camp_theme": theme, "camp_cat": cat,
         "camp": s_camp, "cust": s_cust, "sent": sent}
    _engagement(w, rng, s)
    return s


def _engagement(w: World, rng, s: dict[str, Any]) -> None:
    """Opens and clicks (fewer as a churner fades) and the purchases a send causes within
    its attribution window (``induced_*``)."""
    import numpy as np

    cu = w.customers
    s_cust, sent, chan, cat = s["cust"], s["sent"], s["camp_chan"], s["camp_cat"]
    m = len(s_cust)
    sent_day = sent // DAY
    engaged = np.clip(cu["session_rate"][s_cust] ** 0.3, 0.5, 1.6)
    dd = cu["churn_day"][s_cust] - sent_day
    churn_f = np.where(dd <= 0, 0.15, np.where(dd < CHURN_DECAY_DAYS, 0.5, 1.0))
    base_open = np.array([0.22, 0.45, 0.12, 0.35])[chan[s["camp"]]]
    opened = rng.random(m) < np.clip(base_open * engaged * churn_f, 0, 0.95)
    opened_at = sent + np.minimum(rng.lognormal(np.log(7200), 1.2, size=m), 6 * DAY)
    clicked = opened & (rng.random(m) < np.clip(0.18 * engaged * churn_f, 0, 0.9))
    clicked_at = opened_at + np.minimum(rng.lognormal(np.log(120), 1.0, size=m), DAY)
    active = sent_day < cu["activity_end"][s_cust]
    u = rng.random(m)
    induce = active & ((clicked & (u < CONVERT_AFTER_CLICK))
                       | (opened & ~clicked & (u < CONVERT_AFTER_OPEN)))
    lag = np.floor(rng.exponential(1.2, size=m)).astype(np.int64)
    react_day = np.where(clicked, clicked_at, opened_at).astype(np.int64) // DAY
    ind_day = np.minimum(react_day + lag, sent_day + CAMPAIGN_ATTRIBUTION_DAYS)
    induce &= ind_day < cu["activity_end"][s_cust]
    s["opened_at"] = np.where(opened, opened_at.astype(np.int64), -1)
    s["clicked_at"] = np.where(clicked, clicked_at.astype(np.int64), -1)
    s["induced_cust"], s["induced_day"] = s_cust[induce], ind_day[induce]
    s["induced_cat"] = cat[s["camp"][induce]]


def conversions(w: World):
    """Per campaign send: the customer placed an order within [sent day, sent day + 7]."""
    import numpy as np

    o, s = w.orders, w.campaigns
    keys = np.sort(o["cust"] * NEVER + o["day"])
    sd = s["sent"] // DAY
    lo = np.searchsorted(keys, s["cust"] * NEVER + sd, side="left")
    hi = np.searchsorted(keys, s["cust"] * NEVER + sd + CAMPAIGN_ATTRIBUTION_DAYS,
                         side="right")
    return hi > lo


# ---- export ---------------------------------------------------------------------------------

def campaigns_frame(w: World) -> Frame:
    import numpy as np

    s = w.campaigns
    rng = w.rng("frames/campaigns")
    m = len(s["camp"])
    # a send is exported once its 7-day attribution window has closed
    export_ts = s["sent"] + 7 * DAY
    bucket = w.land_bucket(export_ts + w.late_delay(rng, "campaigns", m, 0), hourly=False)
    idx = np.arange(m)
    keep = w.within_end(bucket, False)
    cols = {"send": idx[keep],
            "chan_code": w.dirt_codes("campaigns", "channel", m, D.ENUM_CASE, D.ENUM_WS)[keep]}
    return w.exported("campaigns", cols, "send", bucket[keep], False, ts=s["sent"])


def campaign_names(w: World) -> list[str]:
    import calendar

    s = w.campaigns
    y, m, _ = civil(s["camp_day"])
    names = []
    for i in range(len(s["camp_day"])):
        theme = P.CAMPAIGN_THEMES[s["camp_theme"][i]]
        cat = s["camp_cat"][i]
        what = f"{theme} - {P.CATEGORIES[cat][0]}" if cat >= 0 else theme
        chan = P.CAMPAIGN_CHANNELS[s["camp_chan"][i]]
        names.append(f"{what} {calendar.month_abbr[int(m[i])]} {int(y[i])} ({chan})")
    return names


def campaigns_table(w: World, col: dict[str, Any]) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    s = w.campaigns
    si = col["send"]
    camp = s["camp"][si]
    cust_ids = customer_ids(s["cust"][si])
    sent = s["sent"][si]
    arrays = {
        "campaign_id": pc.binary_join_element_wise(
            fixed_ids("CMP", camp + 1, 5), cust_ids, yyyymmdd(sent // DAY), "-"),
        "customer_id": cust_ids,
        "campaign_name": pa.array(w.__dict__.setdefault("_campaign_names", campaign_names(w))
                                  ).take(pa.array(camp)),
        "channel": D.dirty_take(P.CAMPAIGN_CHANNELS, "lower", s["camp_chan"][camp],
                                col["chan_code"]),
        "sent_at": timestamps(sent),
        "opened_at": timestamps(s["opened_at"][si]),
        "clicked_at": timestamps(s["clicked_at"][si]),
        "converted": pa.array(w.converted[si]),
    }
    return arrow_table("campaigns", arrays)


def export(w: World) -> tuple[Frame, Any]:
    """The marketing platform's exported sends and the function turning a slice into a table."""
    return campaigns_frame(w), lambda col: campaigns_table(w, col)
