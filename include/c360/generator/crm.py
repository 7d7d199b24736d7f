"""CRM (source ``customers``): who the customers are, their latent behaviour, KYC and account
lifecycle, fraud actors, and the CRM's delta exports (a customer is re-exported whenever its
kyc_status or account_status changes).

``simulate_customers`` is the ``World.customers`` stage every other source system reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.generator.config import DAY, NEVER
from include.c360.generator.export import arrow_table, customer_ids, dates, nullable
from include.c360.generator.strings import fixed_ids
from include.c360.generator.world import Frame, World

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

# behaviour parameters (ground truth is written per customer; see README.md)
FRAUD_ACTOR_RATE = 0.007
CHURN_PRONE_RATE = 0.5
CHURN_MEAN_DAYS = 420
KYC_FAIL_RATE = 0.04
PHONE_NULL_RATE = 0.12


def simulate_customers(w: World) -> dict[str, Any]:
    """Every customer of the world (ordered by signup day) and their state changes."""
    rng = w.rng("customers")
    signup = _signup_days(w, rng)
    c: dict[str, Any] = {"signup_day": signup, "n": len(signup),
                         "n_hist": int((signup <= w.as_of).sum())}
    _profile(w, rng, c)
    _latent_behaviour(w, rng, c)
    lifecycle = _kyc_and_churn(w, rng, c)
    _fraud_bursts(w, rng, c, lifecycle)
    _status_versions(w, rng, c, lifecycle)
    return c


def _signup_days(w: World, rng) -> Any:
    """30 % signed up before the history window; the rest by the daily signup weights, and
    as many again after ``as_of`` as the weights of the horizon ask for."""
    import numpy as np

    n_hist = w.cfg.volume("customers", 60)
    n_pre = round(n_hist * 0.3)
    n_in = n_hist - n_pre
    pre = w.start - 1 - rng.integers(0, 3 * 365, size=n_pre)
    win = w.sample_days(rng, np.full(n_in, w.start), np.full(n_in, w.as_of), w.cw_signup)
    hist_w = w.cw_signup[w.h_days]
    fut_w = w.cw_signup[w.n_days] - hist_w
    n_fut = int(round(n_in * fut_w / hist_w))
    fut = w.sample_days(rng, np.full(n_fut, w.as_of + 1), np.full(n_fut, w.end), w.cw_signup)
    return np.sort(np.concatenate([pre, win, fut]))


def _profile(w: World, rng, c: dict[str, Any]) -> None:
    """Country, state, language, name, email domain and phone of each customer."""
    import numpy as np

    n = c["n"]
    country = w.choice(rng, n, np.array([x[1] for x in P.COUNTRIES]))
    c["country"] = country
    state = w.choice(rng, n, np.array([s[1] for s in P.US_STATES])).astype(np.int16)
    c["state"] = np.where(country == 0, state, -1)
    lang = np.zeros(n, dtype=np.int8)
    for i, (_, _, _, _, _, langs) in enumerate(P.COUNTRIES):
        m = country == i
        codes = [P.LANGUAGES.index(code) for code, _ in langs]
        pick = w.choice(rng, int(m.sum()), [wt for _, wt in langs])
        lang[m] = np.asarray(codes, dtype=np.int8)[pick]
    c["language"] = lang
    c["first"] = rng.integers(0, len(w.pools.first_names), size=n)
    c["last"] = rng.integers(0, len(w.pools.last_names), size=n)
    c["domain"] = w.choice(rng, n, [wt for _, wt in P.EMAIL_DOMAINS])
    c["phone_null"] = rng.random(n) < PHONE_NULL_RATE
    c["phone_num"] = rng.integers(2_000_000_000, 9_999_999_999, size=n)


def _latent_behaviour(w: World, rng, c: dict[str, Any]) -> None:
    """Value, activity and rates, category preferences and channel/device/payment mixes."""
    import numpy as np

    n = c["n"]
    c["value_mult"] = rng.lognormal(0.0, 0.75, size=n)
    c["activity"] = rng.gamma(0.7, 1 / 0.7, size=n)
    c["txn_rate"] = c["activity"] ** 0.7 * rng.lognormal(0, 0.5, size=n)
    c["session_rate"] = c["activity"] ** 0.5 * rng.lognormal(0, 0.6, size=n)
    c["pref"] = rng.dirichlet(np.full(len(P.CATEGORIES), 0.35), size=n).astype(np.float32)
    c["pref_channel"] = w.choice(rng, n, (0.45, 0.35, 0.12, 0.08))
    c["pref_device"] = w.choice(rng, n, (0.55, 0.35, 0.10))
    c["pref_payment"] = w.choice(rng, n, (0.7, 0.08, 0.2, 0.02))
    c["fav_merchant"] = rng.integers(0, 1 << 30, size=n)


def _kyc_and_churn(w: World, rng, c: dict[str, Any]) -> dict[str, Any]:
    """Churn day (churn-prone customers only), KYC outcome and the end of activity."""
    import numpy as np

    n, signup = c["n"], c["signup_day"]
    first_active = np.maximum(signup, w.start)
    churn_prone = rng.random(n) < CHURN_PRONE_RATE
    churn = first_active + 30 + rng.exponential(CHURN_MEAN_DAYS, size=n).astype(np.int64)
    c["churn_day"] = np.where(churn_prone & (churn <= w.end), churn, NEVER)
    failed = rng.random(n) < KYC_FAIL_RATE
    fail_day = signup + rng.integers(1, 11, size=n)
    verify_day = signup + rng.geometric(0.35, size=n) - 1
    verified = ~failed & (rng.random(n) < 0.97)
    expire = verified & (rng.random(n) < 0.08)
    expire_day = verify_day + rng.integers(365, 700, size=n)
    c["kyc_fail_day"] = np.where(failed, fail_day, NEVER)
    c["activity_end"] = np.minimum(np.minimum(c["churn_day"], c["kyc_fail_day"]), w.end + 1)
    return {"first_active": first_active, "failed": failed, "fail_day": fail_day,
            "verified": verified, "verify_day": verify_day, "expire": expire,
            "expire_day": expire_day}


def _fraud_bursts(w: World, rng, c: dict[str, Any], life: dict[str, Any]) -> None:
    """Fraud actors and their 2-3 night bursts inside their active window; most of them are
    suspended 1-10 days after the last burst (``life['suspend']`` / ``['suspend_day']``)."""
    import numpy as np

    n = c["n"]
    fraud = (~life["failed"]) & (rng.random(n) < FRAUD_ACTOR_RATE)
    lo = np.maximum(life["first_active"], w.start)
    hi = np.minimum(c["activity_end"] - 1, w.end)
    fraud &= hi >= lo + 7
    c["is_fraud"] = fraud
    f_idx = np.flatnonzero(fraud)
    nb = rng.integers(2, 4, size=len(f_idx))
    b_cust = np.repeat(f_idx, nb)
    b_day = lo[b_cust] + (rng.random(len(b_cust)) * (hi[b_cust] - lo[b_cust] + 1)).astype(
        np.int64)
    b_ts = b_day * DAY + rng.integers(0, 4 * 3600, size=len(b_cust))  # 00:00-04:00 UTC
    order = np.lexsort((b_ts, b_cust))
    c["burst_cust"], c["burst_ts"] = b_cust[order], b_ts[order]
    last_burst = np.full(n, -1, dtype=np.int64)
    last_burst[c["burst_cust"]] = c["burst_ts"] // DAY  # sorted, so the last one wins
    life["suspend"] = fraud & (rng.random(n) < 0.7)
    life["suspend_day"] = last_burst + rng.integers(1, 11, size=n)


def _status_versions(w: World, rng, c: dict[str, Any], life: dict[str, Any]) -> None:
    """The (customer, day, kyc, account) version exported on every day a state changes:
    ``v_cust``, ``v_day``, ``v_kyc``, ``v_acc`` (a code of -1 keeps the previous one)."""
    import numpy as np

    n, signup, churn = c["n"], c["signup_day"], c["churn_day"]
    dormant = rng.random(n) < 0.6  # account status after churn
    acc_day = np.where(dormant, churn + 60, churn + rng.integers(30, 121, size=n))
    failed, fail_day, suspend = life["failed"], life["fail_day"], life["suspend"]
    verified, expire = life["verified"], life["expire"]
    churned = churn < NEVER
    # status change events: (cust, day, kyc code | -1, account code | -1, seq)
    ev = [
        (np.arange(n), signup, np.zeros(n), np.zeros(n), 0),
        (np.flatnonzero(verified), life["verify_day"][verified], 1, -1, 1),
        (np.flatnonzero(failed), fail_day[failed], 2, -1, 1),
        (np.flatnonzero(expire), life["expire_day"][expire], 3, -1, 2),
        (np.flatnonzero(churned), acc_day[churned], -1, np.where(dormant, 3, 2)[churned], 3),
        (np.flatnonzero(suspend), life["suspend_day"][suspend], -1, 1, 4),
        (np.flatnonzero(failed), fail_day[failed] + 30, -1, 2, 5),
    ]
    e_c = np.concatenate([e[0] for e in ev])
    e_d = np.concatenate([np.broadcast_to(e[1], len(e[0])) for e in ev]).astype(np.int64)
    e_k = np.concatenate([np.broadcast_to(e[2], len(e[0])) for e in ev]).astype(np.int8)
    e_a = np.concatenate([np.broadcast_to(e[3], len(e[0])) for e in ev]).astype(np.int8)
    e_s = np.concatenate([np.full(len(e[0]), e[4]) for e in ev])
    e_d = np.maximum(e_d, w.start)  # customers older than the history: state at start
    keep = e_d <= w.end
    e_c, e_d, e_k, e_a, e_s = e_c[keep], e_d[keep], e_k[keep], e_a[keep], e_s[keep]
    order = np.lexsort((e_s, e_d, e_c))
    e_c, e_d, e_k, e_a = e_c[order], e_d[order], e_k[order], e_a[order]
    for arr in (e_k, e_a):  # carry the last known code forward
        pos = np.where(arr >= 0, np.arange(len(arr)), 0)
        np.maximum.accumulate(pos, out=pos)
        arr[:] = arr[pos]
    last = np.ones(len(e_c), bool)
    last[:-1] = (e_c[1:] != e_c[:-1]) | (e_d[1:] != e_d[:-1])
    c["v_cust"], c["v_day"] = e_c[last], e_d[last]
    c["v_kyc"], c["v_acc"] = e_k[last], e_a[last]


# ---- export ---------------------------------------------------------------------------------

def customers_frame(w: World) -> Frame:
    import numpy as np

    c = w.customers
    cust, day = c["v_cust"], c["v_day"]
    n = len(cust)
    ent = {  # per customer: the CRM stores the dirty spelling, every export repeats it
        "first_code": w.dirt_codes("customers", "first_name", c["n"], D.NAME_CASE, D.NAME_WS),
        "last_code": w.dirt_codes("customers", "last_name", c["n"], D.NAME_CASE, D.NAME_WS),
        "country_code": w.dirt_codes("customers", "country", c["n"], D.CODE_CASE, D.CODE_WS),
        "state_code": w.dirt_codes("customers", "state", c["n"], D.CODE_CASE, D.CODE_WS),
        "lang_null": w.rng("dirt/customers/preferred_language").random(c["n"]) < D.LANGUAGE_NULL,
    }
    cols = {"cust": cust, "kyc": c["v_kyc"], "acc": c["v_acc"],
            "kyc_code": w.dirt_codes("customers", "kyc_status", n, D.ENUM_CASE, D.ENUM_WS),
            "acc_code": w.dirt_codes("customers", "account_status", n, D.ENUM_CASE,
                                     D.ENUM_WS),
            "version": np.ones(n, np.int8)}
    cols.update({k: v[cust] for k, v in ent.items()})
    return w.exported("customers", cols, "cust", day.astype(np.int64), hourly=False)


def contact_strings(w: World) -> tuple[pa.Array, pa.Array]:
    """Email and phone of every customer, built once (a customer is exported many times).

    The email is ``first.last<number>@domain`` (unique: the number is the customer's); the
    Title-cased dirty spelling is the CRM's stored value, so it is per customer.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    cached = w.__dict__.get("_contact_strings")
    if cached is not None:
        return cached
    c, pools = w.customers, w.pools
    n = c["n"]
    num = np.arange(n)
    lower_first = pa.array([x.lower() for x in pools.first_names]).take(pa.array(c["first"]))
    lower_last = pa.array([x.lower() for x in pools.last_names]).take(pa.array(c["last"]))
    domains = pa.array([d for d, _ in P.EMAIL_DOMAINS]).take(pa.array(c["domain"]))
    email = pc.binary_join_element_wise(
        lower_first, ".", lower_last, pc.cast(pa.array(num + 1), pa.string()), "@", domains, "")
    dirty = w.rng("dirt/customers/email").random(n) < D.EMAIL_CASE  # as in customers_frame
    email = pc.if_else(pa.array(dirty), pc.utf8_title(email), email)
    prefix = pa.array([x[4] for x in P.COUNTRIES]).take(pa.array(c["country"]))
    phone = pc.binary_join_element_wise(prefix, fixed_ids("", c["phone_num"], 10), "")
    w.__dict__["_contact_strings"] = (email, nullable(phone, c["phone_null"]))
    return w.__dict__["_contact_strings"]


def customers_table(w: World, col: dict[str, Any]) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    c, pools = w.customers, w.pools
    cust = col["cust"]
    email, phone = contact_strings(w)
    state = c["state"][cust]
    arrays = {
        "customer_id": customer_ids(cust),
        "first_name": D.dirty_take(pools.first_names, "title", c["first"][cust],
                                   col["first_code"]),
        "last_name": D.dirty_take(pools.last_names, "title", c["last"][cust], col["last_code"]),
        "email": email.take(pa.array(cust)),
        "phone": phone.take(pa.array(cust)),
        "signup_date": dates(c["signup_day"][cust]),
        "state": D.dirty_take([s for s, _ in P.US_STATES], "upper", np.maximum(state, 0),
                              col["state_code"], mask=state < 0),
        "country": D.dirty_take([x[0] for x in P.COUNTRIES], "upper", c["country"][cust],
                                col["country_code"]),
        "kyc_status": D.dirty_take(P.KYC_STATUSES, "lower", col["kyc"], col["kyc_code"]),
        "account_status": D.dirty_take(P.ACCOUNT_STATUSES, "lower", col["acc"],
                                       col["acc_code"]),
        "preferred_language": pa.array(list(P.LANGUAGES)).take(
            pa.array(c["language"][cust], mask=col["lang_null"])),
    }
    return arrow_table("customers", arrays)


def export(w: World) -> tuple[Frame, Any]:
    """The CRM's exported rows and the function turning a slice of them into a table."""
    return customers_frame(w), lambda col: customers_table(w, col)
