"""Deterministic simulation of the seven source systems over one fixed time horizon.

The world spans ``history_days`` up to ``as_of`` plus ``horizon_days`` after it. Everything is
drawn from numpy generators seeded by (seed, stream name), fully vectorised, so the same
config always yields the same world. The history backfill and every ``--day`` increment are
slices of that world by *landing* time, so an increment never needs the history files and
never rewrites them. Each source is a ``Frame``: numeric columns (codes, indices, epoch
seconds) sorted by landing bucket; ``export.py`` turns row ranges of it into Arrow tables.

Time: days are ints since 1970-01-01, timestamps ints of epoch seconds (UTC).
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

log = logging.getLogger(__name__)

EPOCH = date(1970, 1, 1)
NEVER = 10**7  # a day number far beyond any horizon
DAY = 86400

# The spec's volumes at scale 1.0 (entities created within the history window).
VOLUMES = {
    "customers": 270_000,
    "orders": 1_200_000,
    "transactions": 5_000_000,
    "events": 8_000_000,
    "products": 5_000,
    "campaigns": 500_000,
    "support_tickets": 50_000,
}

# behaviour parameters (ground truth is written per customer; see README.md)
FRAUD_ACTOR_RATE = 0.007
CHURN_PRONE_RATE = 0.5
CHURN_MEAN_DAYS = 420
CHURN_DECAY_DAYS = 90  # activity fades over the last 90 days before the churn date
KYC_FAIL_RATE = 0.04
PHONE_NULL_RATE = 0.12
ANON_SESSION_SHARE = 0.25
CONVERT_AFTER_CLICK = 0.35
CONVERT_AFTER_OPEN = 0.04
CAMPAIGN_ATTRIBUTION_DAYS = 7

# UTC hour-of-day profiles (relative weights)
HOURS_ACTIVITY = (0.6, 0.4, 0.3, 0.3, 0.4, 0.7, 1.2, 2.0, 3.0, 3.8, 4.3, 4.6,
                  4.8, 4.9, 4.9, 5.0, 5.1, 5.3, 5.6, 5.8, 5.5, 4.6, 3.2, 1.6)
HOURS_BUSINESS = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 2.5, 3.5, 4.0,
                  4.2, 4.5, 4.8, 5.0, 5.0, 4.8, 4.5, 4.0, 3.0, 2.0, 1.0, 0.5)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def day_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


@dataclass(frozen=True)
class GeneratorConfig:
    """Everything that defines a world. History and increments must use the same values."""

    seed: int = 42
    scale: float = 1.0
    as_of: date = field(default_factory=lambda: date.today() - timedelta(days=1))
    history_days: int = 730
    horizon_days: int = 120  # increments are possible for as_of+1 .. as_of+horizon_days

    def __post_init__(self) -> None:
        if not 0 < self.scale <= 10:
            raise ValueError(f"scale must be in (0, 10], got {self.scale}")
        if self.history_days < 14:
            raise ValueError(f"history_days must be >= 14, got {self.history_days}")
        if self.horizon_days < 1:
            raise ValueError(f"horizon_days must be >= 1, got {self.horizon_days}")

    @property
    def history_start(self) -> date:
        """First day of the history backfill."""
        return self.as_of - timedelta(days=self.history_days - 1)

    @property
    def last_day(self) -> date:
        """Last day an increment can be generated for."""
        return self.as_of + timedelta(days=self.horizon_days)

    @property
    def start_day(self) -> int:
        return day_number(self.as_of) - self.history_days + 1

    @property
    def as_of_day(self) -> int:
        return day_number(self.as_of)

    @property
    def end_day(self) -> int:
        return self.as_of_day + self.horizon_days

    def volume(self, source: str, minimum: int = 1) -> int:
        return max(minimum, round(VOLUMES[source] * self.scale))


@dataclass
class Frame:
    """One source's exported rows (all versions/copies), sorted by landing bucket.

    ``bucket`` is the landing day number, or the landing hour number for sources whose
    increments land hourly (``Source.hourly_increments``: events, transactions).
    """

    source: str
    cols: dict[str, Any]
    bucket: Any
    hourly: bool

    def __len__(self) -> int:
        return len(self.bucket)

    @property
    def land_day(self):
        return self.bucket // 24 if self.hourly else self.bucket

    def sort(self, ts=None, key=None) -> Frame:
        """Order rows by landing bucket, then event time (or key); ties keep their order.

        One stable argsort of a composite int64 (timsort: near-linear on the almost sorted
        frames) instead of a multi-key lexsort.
        """
        import numpy as np

        b = self.bucket - (self.bucket.min() if len(self) else 0)
        if ts is not None:
            rel = ts - (ts.min() if len(ts) else 0)
            if len(rel) and rel.max() >= 1 << 28:
                raise ValueError("event times span more than 2**28 s")
            comp = (b << 28) | rel
        else:
            comp = (b << 32) | key
        order = np.argsort(comp, kind="stable")
        self.cols = {k: v[order] for k, v in self.cols.items()}
        self.bucket = self.bucket[order]
        return self


class World:
    """Lazily simulated world; each ``cached_property`` is one simulation stage."""

    def __init__(self, config: GeneratorConfig):
        import numpy as np

        self.cfg = config
        self.start = config.start_day
        self.as_of = config.as_of_day
        self.end = config.end_day
        self.n_days = self.end - self.start + 1
        self.h_days = config.history_days
        self.pools = P.build_pools(config.seed)
        rel = np.arange(self.n_days)
        days = rel + self.start
        self.dow = (days + 3) % 7  # Monday = 0
        _, month, dom = _civil_np(days)
        doy = (month - 1) * 30.5 + dom
        season = (1 + 0.7 * np.exp(-(((doy - 332) / 10) ** 2))  # Black Friday / Cyber Monday
                  + 0.35 * np.exp(-(((doy - 352) / 8) ** 2))  # holidays
                  + 0.12 * np.exp(-(((doy - 200) / 25) ** 2)))  # summer
        growth = 1 + 0.6 * rel / self.n_days
        weekend = np.where(self.dow >= 5, 1.12, 1.0)
        self.w_activity = growth * season * weekend
        self.cw_activity = np.concatenate([[0.0], np.cumsum(self.w_activity)])
        self.cdw_activity = np.concatenate([[0.0], np.cumsum(rel * self.w_activity)])
        self.w_signup = growth * (1 + 0.3 * (season - 1))
        self.cw_signup = np.concatenate([[0.0], np.cumsum(self.w_signup)])

    # ---- helpers ---------------------------------------------------------------------------
    def rng(self, stream: str) -> np.random.Generator:
        import numpy as np

        return np.random.default_rng([self.cfg.seed, zlib.crc32(stream.encode())])

    def sample_days(self, rng, lo, hi, cw=None):
        """Day numbers in [lo, hi] (absolute, inclusive) drawn by the daily weights."""
        import numpy as np

        cw = self.cw_activity if cw is None else cw
        a = np.asarray(lo) - self.start
        b = np.asarray(hi) - self.start
        u = rng.random(len(a) if np.ndim(a) else 1)
        target = cw[a] + u * (cw[b + 1] - cw[a])
        d = np.searchsorted(cw, target, side="right") - 1
        return np.clip(d, a, b) + self.start

    def window_weight(self, lo, hi, cw=None):
        """Sum of daily weights over [lo, hi] (0 where empty)."""
        import numpy as np

        cw = self.cw_activity if cw is None else cw
        a = np.clip(np.asarray(lo) - self.start, 0, self.n_days)
        b = np.clip(np.asarray(hi) - self.start + 1, 0, self.n_days)
        return np.where(b > a, cw[np.maximum(b, a)] - cw[a], 0.0)

    def fading_weight(self, lo, hi, churn, power: float = 1.0):
        """Expected activity weight over [lo, hi] after ``churn_keep`` thinning.

        Returns (flat, ramp): the weight before a churner's 90-day decay window and the
        thinned weight inside it, so callers can calibrate counts to the spec's volumes.
        """
        import numpy as np

        lo, hi, churn = (np.asarray(x, dtype=np.int64) for x in (lo, hi, churn))
        flat = self.window_weight(lo, np.minimum(hi, churn - CHURN_DECAY_DAYS - 1))
        r_lo = np.maximum(lo, churn - CHURN_DECAY_DAYS)
        r_hi = np.minimum(hi, churn - 1)
        a = np.clip(r_lo - self.start, 0, self.n_days)
        b = np.clip(r_hi - self.start + 1, 0, self.n_days)
        b = np.maximum(a, b)
        wsum = self.cw_activity[b] - self.cw_activity[a]
        dwsum = self.cdw_activity[b] - self.cdw_activity[a]
        c_rel = np.minimum(churn - self.start, 10**6)
        ramp = np.where(b > a, (c_rel * wsum - dwsum) / CHURN_DECAY_DAYS, 0.0)
        return flat, ramp * 2 / (power + 1)

    @staticmethod
    def seconds_in_day(rng, n: int, profile=HOURS_ACTIVITY):
        import numpy as np

        p = np.asarray(profile, dtype=float)
        hours = rng.choice(24, size=n, p=p / p.sum())
        return hours * 3600 + rng.integers(0, 3600, size=n)

    @staticmethod
    def choice(rng, n: int, probs) -> np.ndarray:
        import numpy as np

        p = np.asarray(probs, dtype=float)
        return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int8)

    def churn_keep(self, rng, cust, days, power: float = 1.0):
        """Thinning mask: activity fades linearly (to ``power``) before a churner's churn date."""
        import numpy as np

        dd = self.customers["churn_day"][cust] - days
        keep_p = np.clip(dd / CHURN_DECAY_DAYS, 0.0, 1.0) ** power
        return rng.random(len(days)) < keep_p

    def land_bucket(self, ts, hourly: bool):
        return ts // 3600 if hourly else ts // DAY

    def late_delay(self, rng, source: str, n: int, normal_max_s: int):
        """Seconds between event time and landing: small, or a late arrival for LATE_RATES."""

        delay = rng.integers(0, normal_max_s + 1, size=n)
        late = rng.random(n) < D.LATE_RATES.get(source, 0.0)
        lo, hi = D.LATE_DELAY_HOURS.get(source, (24, 48))
        delay[late] = rng.integers(lo * 3600, hi * 3600 + 1, size=int(late.sum()))
        return delay

    def add_reexports(self, frame: Frame, key, rng) -> tuple[Frame, Any]:
        """Append identical copies (``is_dup``) of rows landing 1-7 days later.

        A copy is only made when no newer version of the key lands before it, so "latest load
        wins" in staging still yields the key's true latest state.
        """
        import numpy as np

        n = len(frame)
        big = np.iinfo(np.int64).max
        pick = np.flatnonzero(rng.random(n) < D.DUPLICATE_RATES[frame.source])
        lo, hi = D.DUPLICATE_DELAY_DAYS
        per_day = 24 if frame.hourly else 1
        new_bucket = (frame.bucket[pick] // per_day
                      + rng.integers(lo, hi + 1, size=len(pick))) * per_day
        if frame.hourly:
            new_bucket = new_bucket + rng.integers(0, 24, size=len(pick))
        ok = new_bucket // per_day <= self.end
        if n > 1 and not (key[1:] > key[:-1]).all():  # some keys have several versions
            order = np.lexsort((frame.bucket, key))
            k_sorted, b_sorted = key[order], frame.bucket[order]
            next_bucket = np.full(n, big, dtype=np.int64)
            same = k_sorted[1:] == k_sorted[:-1]
            next_bucket[order[:-1]] = np.where(same, b_sorted[1:], big)
            ok &= new_bucket < next_bucket[pick]
        idx, new_bucket = pick[ok], new_bucket[ok]
        cols = {k: np.concatenate([v, v[idx]]) for k, v in frame.cols.items()}
        cols["is_dup"] = np.concatenate([np.zeros(n, bool), np.ones(len(idx), bool)])
        out = Frame(frame.source, cols, np.concatenate([frame.bucket, new_bucket]),
                    frame.hourly)
        return out, np.concatenate([key, key[idx]])

    def dirt_codes(self, source: str, column: str, n: int, case: float, ws: float):
        return D.variant_codes(self.rng(f"dirt/{source}/{column}"), n, case, ws)

    # ---- customers -------------------------------------------------------------------------
    @cached_property
    def customers(self) -> dict[str, Any]:
        import numpy as np

        rng = self.rng("customers")
        n_hist = self.cfg.volume("customers", 60)
        n_pre = round(n_hist * 0.3)
        n_in = n_hist - n_pre
        h_end = self.as_of
        pre = self.start - 1 - rng.integers(0, 3 * 365, size=n_pre)
        win = self.sample_days(rng, np.full(n_in, self.start), np.full(n_in, h_end),
                               self.cw_signup)
        hist_w = self.cw_signup[self.h_days]
        fut_w = self.cw_signup[self.n_days] - hist_w
        n_fut = int(round(n_in * fut_w / hist_w))
        fut = self.sample_days(rng, np.full(n_fut, h_end + 1), np.full(n_fut, self.end),
                               self.cw_signup)
        signup = np.sort(np.concatenate([pre, win, fut]))
        n = len(signup)

        c = {"signup_day": signup, "n": n, "n_hist": int((signup <= self.as_of).sum())}
        cw = np.array([x[1] for x in P.COUNTRIES])
        country = self.choice(rng, n, cw)
        c["country"] = country
        sw = np.array([s[1] for s in P.US_STATES])
        state = self.choice(rng, n, sw).astype(np.int16)
        c["state"] = np.where(country == 0, state, -1)
        lang = np.zeros(n, dtype=np.int8)
        for i, (_, _, _, _, _, langs) in enumerate(P.COUNTRIES):
            m = country == i
            codes = [P.LANGUAGES.index(code) for code, _ in langs]
            pick = self.choice(rng, int(m.sum()), [w for _, w in langs])
            lang[m] = np.asarray(codes, dtype=np.int8)[pick]
        c["language"] = lang
        c["first"] = rng.integers(0, len(self.pools.first_names), size=n)
        c["last"] = rng.integers(0, len(self.pools.last_names), size=n)
        c["domain"] = self.choice(rng, n, [w for _, w in P.EMAIL_DOMAINS])
        c["phone_null"] = rng.random(n) < PHONE_NULL_RATE
        c["phone_num"] = rng.integers(2_000_000_000, 9_999_999_999, size=n)
        # latent behaviour
        c["value_mult"] = rng.lognormal(0.0, 0.75, size=n)
        c["activity"] = rng.gamma(0.7, 1 / 0.7, size=n)
        c["txn_rate"] = c["activity"] ** 0.7 * rng.lognormal(0, 0.5, size=n)
        c["session_rate"] = c["activity"] ** 0.5 * rng.lognormal(0, 0.6, size=n)
        c["pref"] = rng.dirichlet(np.full(len(P.CATEGORIES), 0.35), size=n).astype(np.float32)
        c["pref_channel"] = self.choice(rng, n, (0.45, 0.35, 0.12, 0.08))
        c["pref_device"] = self.choice(rng, n, (0.55, 0.35, 0.10))
        c["pref_payment"] = self.choice(rng, n, (0.7, 0.08, 0.2, 0.02))
        c["fav_merchant"] = rng.integers(0, 1 << 30, size=n)
        first_active = np.maximum(signup, self.start)
        churn_prone = rng.random(n) < CHURN_PRONE_RATE
        churn = first_active + 30 + rng.exponential(CHURN_MEAN_DAYS, size=n).astype(np.int64)
        c["churn_day"] = np.where(churn_prone & (churn <= self.end), churn, NEVER)
        # KYC
        failed = rng.random(n) < KYC_FAIL_RATE
        fail_day = signup + rng.integers(1, 11, size=n)
        verify_day = signup + rng.geometric(0.35, size=n) - 1
        verified = ~failed & (rng.random(n) < 0.97)
        expire = verified & (rng.random(n) < 0.08)
        expire_day = verify_day + rng.integers(365, 700, size=n)
        c["kyc_fail_day"] = np.where(failed, fail_day, NEVER)
        c["activity_end"] = np.minimum(np.minimum(c["churn_day"], c["kyc_fail_day"]),
                                       self.end + 1)
        # fraud actors: 2-3 bursts inside their active window
        fraud = (~failed) & (rng.random(n) < FRAUD_ACTOR_RATE)
        lo = np.maximum(first_active, self.start)
        hi = np.minimum(c["activity_end"] - 1, self.end)
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
        suspend = fraud & (rng.random(n) < 0.7)
        suspend_day = last_burst + rng.integers(1, 11, size=n)
        # account status after churn
        dormant = rng.random(n) < 0.6
        acc_day = np.where(dormant, c["churn_day"] + 60,
                           c["churn_day"] + rng.integers(30, 121, size=n))
        # status change events: (cust, day, kyc code | -1, account code | -1, seq)
        ev = [
            (np.arange(n), signup, np.zeros(n), np.zeros(n), 0),
            (np.flatnonzero(verified), verify_day[verified], 1, -1, 1),
            (np.flatnonzero(failed), fail_day[failed], 2, -1, 1),
            (np.flatnonzero(expire), expire_day[expire], 3, -1, 2),
            (np.flatnonzero(c["churn_day"] < NEVER),
             acc_day[c["churn_day"] < NEVER],
             -1, np.where(dormant, 3, 2)[c["churn_day"] < NEVER], 3),
            (np.flatnonzero(suspend), suspend_day[suspend], -1, 1, 4),
            (np.flatnonzero(failed), fail_day[failed] + 30, -1, 2, 5),
        ]
        e_c = np.concatenate([e[0] for e in ev])
        e_d = np.concatenate([np.broadcast_to(e[1], len(e[0])) for e in ev]).astype(np.int64)
        e_k = np.concatenate([np.broadcast_to(e[2], len(e[0])) for e in ev]).astype(np.int8)
        e_a = np.concatenate([np.broadcast_to(e[3], len(e[0])) for e in ev]).astype(np.int8)
        e_s = np.concatenate([np.full(len(e[0]), e[4]) for e in ev])
        e_d = np.maximum(e_d, self.start)  # customers older than the history: state at start
        keep = e_d <= self.end
        e_c, e_d, e_k, e_a, e_s = e_c[keep], e_d[keep], e_k[keep], e_a[keep], e_s[keep]
        order = np.lexsort((e_s, e_d, e_c))
        e_c, e_d, e_k, e_a = e_c[order], e_d[order], e_k[order], e_a[order]
        for arr in (e_k, e_a):
            pos = np.where(arr >= 0, np.arange(len(arr)), 0)
            np.maximum.accumulate(pos, out=pos)
            arr[:] = arr[pos]
        last = np.ones(len(e_c), bool)
        last[:-1] = (e_c[1:] != e_c[:-1]) | (e_d[1:] != e_d[:-1])
        c["v_cust"], c["v_day"] = e_c[last], e_d[last]
        c["v_kyc"], c["v_acc"] = e_k[last], e_a[last]
        return c

    # ---- products --------------------------------------------------------------------------
    @cached_property
    def products(self) -> dict[str, Any]:
        import numpy as np

        rng = self.rng("products")
        n = self.cfg.volume("products", 200)
        cat_w = np.array([.14, .14, .16, .10, .10, .08, .10, .08, .05, .05])
        counts = np.maximum(12, np.floor(cat_w / cat_w.sum() * n)).astype(int)
        cat = np.repeat(np.arange(len(P.CATEGORIES)), counts)
        n = len(cat)
        sub = np.array([rng.integers(0, len(P.CATEGORIES[k][2])) for k in cat])
        median = np.array([P.CATEGORIES[k][1] for k in cat])
        price = np.floor(rng.lognormal(np.log(median), 0.6)) + 0.99
        pre = rng.random(n) < 0.8
        intro = np.where(pre, self.start - 1 - rng.integers(0, 700, size=n),
                         self.start + rng.integers(0, self.n_days, size=n))
        disc_p = rng.random(n) < 0.12
        disc = intro + 60 + rng.integers(0, 600, size=n)
        disc = np.where(disc_p & (disc <= self.end), disc, NEVER)
        # evergreen products cannot be discontinued, so every category always has some
        evergreen = pre & (disc == NEVER)
        for k in range(len(P.CATEGORIES)):
            m = np.flatnonzero((cat == k) & pre)
            if not evergreen[cat == k].any():
                disc[m[:3]] = NEVER
                evergreen[m[:3]] = True
        order = np.lexsort((rng.random(n), intro))
        p = {"cat": cat[order], "sub": sub[order], "price": price[order],
             "intro": intro[order], "disc": disc[order], "evergreen": evergreen[order], "n": n}
        p["brand"] = rng.integers(0, len(self.pools.brands), size=n)
        p["adj"] = rng.integers(0, len(P.PRODUCT_ADJECTIVES), size=n)
        p["model"] = rng.integers(1, 10, size=n)
        # popularity inside its category (Zipf-like), as a cumulative [k, k+1) per category
        pop = 1.0 / (rng.permutation(n) % 97 + 3) ** 0.9
        order_c = np.lexsort((np.arange(n), p["cat"]))
        for k in range(len(P.CATEGORIES)):
            idx = order_c[p["cat"][order_c] == k]
            cs = np.cumsum(pop[idx])
            p.setdefault("_segments", []).append((idx, k + cs / cs[-1]))
        p["by_cat_idx"] = np.concatenate([s[0] for s in p["_segments"]])
        p["by_cat_cum"] = np.concatenate([s[1] for s in p["_segments"]])
        ev = [np.flatnonzero(p["evergreen"] & (p["cat"] == k)) for k in range(len(P.CATEGORIES))]
        p["ever_idx"] = np.concatenate(ev)
        p["ever_cnt"] = np.array([len(e) for e in ev])
        p["ever_off"] = np.concatenate([[0], np.cumsum(p["ever_cnt"])[:-1]])
        del p["_segments"]
        return p

    def pick_products(self, rng, cat, day):
        """A live product of category ``cat`` on ``day`` for each row (popularity-weighted)."""
        import numpy as np

        p = self.products
        pos = np.searchsorted(p["by_cat_cum"], cat + rng.random(len(cat)) * 0.999999)
        prod = p["by_cat_idx"][np.minimum(pos, p["n"] - 1)]
        # a product sells from a week after its introduction, so it is in a weekly catalog
        # export (or the history's catalog) by the time any order references it
        live = ((p["intro"][prod] <= day - 7) & (day < p["disc"][prod])
                & (p["cat"][prod] == cat))
        alt = p["ever_idx"][p["ever_off"][cat]
                            + (rng.random(len(cat)) * p["ever_cnt"][cat]).astype(np.int64)]
        return np.where(live, prod, alt)

    # ---- campaigns (sends; conversions decided once orders exist) ---------------------------
    @cached_property
    def campaigns(self) -> dict[str, Any]:
        import numpy as np

        rng = self.rng("campaigns")
        cu = self.customers
        n_camp = max(4, round(3 / 7 * self.n_days))
        day = np.sort(self.start + rng.integers(0, self.n_days, size=n_camp))
        ts = day * DAY + self.seconds_in_day(rng, n_camp, HOURS_BUSINESS)
        chan = self.choice(rng, n_camp, (0.55, 0.15, 0.2, 0.1))
        theme = rng.integers(0, len(P.CAMPAIGN_THEMES), size=n_camp)
        cat = np.where(rng.random(n_camp) < 0.4,
                       rng.integers(0, len(P.CATEGORIES), size=n_camp), -1)
        n_hist_camp = max(1, int((day <= self.as_of).sum()))
        aud = rng.poisson(self.cfg.volume("campaigns") / n_hist_camp, size=n_camp)
        s_camp = np.repeat(np.arange(n_camp), aud)
        n_elig = np.searchsorted(cu["signup_day"], day, side="right")[s_camp]
        s_cust = (rng.random(len(s_camp)) * n_elig).astype(np.int64)
        ok = n_elig > 0
        pair = np.unique(s_camp[ok].astype(np.int64) * cu["n"] + s_cust[ok])
        s_camp, s_cust = pair // cu["n"], pair % cu["n"]
        m = len(s_camp)
        sent = ts[s_camp] + rng.integers(0, 7200, size=m)
        sent_day = sent // DAY
        engaged = np.clip(cu["session_rate"][s_cust] ** 0.3, 0.5, 1.6)
        dd = cu["churn_day"][s_cust] - sent_day
        churn_f = np.where(dd <= 0, 0.15, np.where(dd < CHURN_DECAY_DAYS, 0.5, 1.0))
        base_open = np.array([0.22, 0.45, 0.12, 0.35])[chan[s_camp]]
        opened = rng.random(m) < np.clip(base_open * engaged * churn_f, 0, 0.95)
        opened_at = sent + np.minimum(rng.lognormal(np.log(7200), 1.2, size=m), 6 * DAY)
        clicked = opened & (rng.random(m) < np.clip(0.18 * engaged * churn_f, 0, 0.9))
        clicked_at = opened_at + np.minimum(rng.lognormal(np.log(120), 1.0, size=m), DAY)
        # purchases caused by the send, within the attribution window
        active = sent_day < cu["activity_end"][s_cust]
        u = rng.random(m)
        induce = active & ((clicked & (u < CONVERT_AFTER_CLICK))
                           | (opened & ~clicked & (u < CONVERT_AFTER_OPEN)))
        lag = np.floor(rng.exponential(1.2, size=m)).astype(np.int64)
        react_day = np.where(clicked, clicked_at, opened_at).astype(np.int64) // DAY
        ind_day = np.minimum(react_day + lag, sent_day + CAMPAIGN_ATTRIBUTION_DAYS)
        induce &= ind_day < cu["activity_end"][s_cust]
        s = {
            "camp_day": day, "camp_chan": chan, "camp_theme": theme, "camp_cat": cat,
            "camp": s_camp, "cust": s_cust, "sent": sent,
            "opened_at": np.where(opened, opened_at.astype(np.int64), -1),
            "clicked_at": np.where(clicked, clicked_at.astype(np.int64), -1),
            "induced_cust": s_cust[induce], "induced_day": ind_day[induce],
            "induced_cat": cat[s_camp[induce]],
        }
        return s

    # ---- orders ----------------------------------------------------------------------------
    @cached_property
    def orders(self) -> dict[str, Any]:
        import numpy as np

        rng = self.rng("orders")
        cu, pr, cp = self.customers, self.products, self.campaigns
        n = cu["n"]
        lo = np.maximum(cu["signup_day"], self.start)
        hi = np.minimum(cu["activity_end"] - 1, self.end)
        w_all = self.window_weight(lo, hi)
        f, r = self.fading_weight(lo, np.minimum(hi, self.as_of), cu["churn_day"])
        induced_hist = int((cp["induced_day"] <= self.as_of).sum())
        target = max(0, self.cfg.volume("orders") - induced_hist)
        k = target / max(1e-9, float((cu["activity"] * (f + r)).sum()))
        counts = rng.poisson(k * cu["activity"] * w_all)
        cust = np.repeat(np.arange(n), counts)
        day = self.sample_days(rng, lo[cust], hi[cust])
        keep = self.churn_keep(rng, cust, day)
        cust, day = cust[keep], day[keep]
        n_org = len(cust)
        cust = np.concatenate([cust, cp["induced_cust"]])
        day = np.concatenate([day, cp["induced_day"]])
        m = len(cust)
        ts = day * DAY + self.seconds_in_day(rng, m)
        ind_cat = np.concatenate([np.full(n_org, -1), cp["induced_cat"]])
        induced = np.arange(m) >= n_org
        # order ids follow placement time: sort the few base columns now, draw the rest in order
        order = np.argsort(ts, kind="stable")
        cust, day, ts, ind_cat, induced = (a[order] for a in (cust, day, ts, ind_cat, induced))
        del order
        cum_pref = np.cumsum(cu["pref"], axis=1)  # per customer, then one gather per order
        cat = (rng.random(m)[:, None] * cum_pref[cust, -1:] > cum_pref[cust]).sum(axis=1)
        cat = np.where(ind_cat >= 0, ind_cat, np.minimum(cat, len(P.CATEGORIES) - 1))
        prod = self.pick_products(rng, cat, day)
        qty = 1 + np.minimum(rng.poisson(0.35 * cu["value_mult"][cust]), 11)
        margin = np.clip(rng.normal(0.22, 0.08, size=m), -0.15, 0.6)
        total = np.round(pr["price"][prod] * qty * (1 + margin), 2)
        chan = np.where(rng.random(m) < 0.65, cu["pref_channel"][cust],
                        self.choice(rng, m, (0.45, 0.35, 0.12, 0.08)))
        # lifecycle: pending -> completed/cancelled; completed -> returned
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
        o = {"cust": cust, "day": day, "ts": ts, "prod": prod, "qty": qty, "total": total,
             "chan": chan, "s0": s0, "s1": s1, "d1": d1, "ret": ret, "d2": d2,
             "final": final, "induced": induced}
        o["n"] = m
        # landing day of the first export (late arrivals: a later day's file)
        delay = self.late_delay(self.rng("orders/landing"), "orders", m, 0)
        o["land0"] = self.land_bucket(o["ts"] + delay, hourly=False)
        return o

    @cached_property
    def converted(self):
        """Per campaign send: the customer placed an order within [sent day, sent day + 7]."""
        import numpy as np

        o, s = self.orders, self.campaigns
        keys = np.sort(o["cust"] * NEVER + o["day"])
        sd = s["sent"] // DAY
        lo = np.searchsorted(keys, s["cust"] * NEVER + sd, side="left")
        hi = np.searchsorted(keys, s["cust"] * NEVER + sd + CAMPAIGN_ATTRIBUTION_DAYS,
                             side="right")
        return hi > lo


def _civil_np(days):
    from include.c360.generator.strings import _civil

    return _civil(days)
