"""The simulated world: its calendar, the draws every source system shares, and its stages.

The world spans ``history_days`` up to ``as_of`` plus ``horizon_days`` after it. Everything is
drawn from numpy generators seeded by (seed, stream name), fully vectorised, so the same
config always yields the same world. The history backfill and every ``--day`` increment are
slices of that world by *landing* time, so an increment never needs the history files and
never rewrites them. Each source is a ``Frame``: numeric columns (codes, indices, epoch
seconds) sorted by landing bucket; each source system's module turns row ranges of it into
Arrow tables.

Stages other sources read (customers, products, campaign sends, orders, conversions) are
attributes of ``World``, simulated by their source system's module on first use.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.generator.config import CHURN_DECAY_DAYS, DAY, HOURS_ACTIVITY, GeneratorConfig
from include.c360.generator.strings import civil

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

log = logging.getLogger(__name__)


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


class _Stage:
    """A simulation stage other sources read, e.g. ``World.orders``: simulated on first use by
    ``<module>.<function>(world)`` of its source system and kept on the world (like
    ``cached_property``; ``api`` drops a stage from ``world.__dict__`` once no later source
    needs it)."""

    def __init__(self, module: str, function: str) -> None:
        self.module, self.function = module, function

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, world: World | None, owner: type) -> Any:
        if world is None:
            return self
        import importlib

        simulate = getattr(importlib.import_module(f"include.c360.generator.{self.module}"),
                           self.function)
        value = world.__dict__[self.name] = simulate(world)
        return value


class World:
    """Lazily simulated world; each ``_Stage`` attribute is one simulation stage."""

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
        _, month, dom = civil(days)
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

    # ---- stages (each simulated once, by its source system's module) -----------------------
    customers = _Stage("crm", "simulate_customers")
    products = _Stage("catalog", "simulate_products")
    campaigns = _Stage("marketing", "simulate_sends")
    orders = _Stage("oms", "simulate_orders")
    converted = _Stage("marketing", "conversions")

    # ---- shared draws ------------------------------------------------------------------------
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

    @cached_property
    def active_span(self) -> tuple[Any, Any]:
        """Per customer, the first and last day they can act on: signup (or the history
        start) to the day before their activity ends (churn, failed KYC, end of the world)."""
        import numpy as np

        cu = self.customers
        return (np.maximum(cu["signup_day"], self.start),
                np.minimum(cu["activity_end"] - 1, self.end))

    def history_weight(self, power: float = 1.0) -> tuple[Any, Any]:
        """``fading_weight`` of every customer's active span up to ``as_of`` (the history)."""
        import numpy as np

        lo, hi = self.active_span
        return self.fading_weight(lo, np.minimum(hi, self.as_of), self.customers["churn_day"],
                                  power)

    def draw_activity(self, rng, rate, k: float, fade_power: float | None = 1.0):
        """THE calibrated activity draw of orders, payments, sessions and tickets.

        Per customer, a Poisson count of ``k * rate * (daily weights over the active span)``,
        placed on days by the daily weights; with ``fade_power``, a churner's activity then
        fades before the churn date (``churn_keep``). Callers choose ``k`` so that the
        history's expected count (``history_weight``) meets the spec's volume. Returns the
        (customer, day) of every draw.
        """
        import numpy as np

        lo, hi = self.active_span
        cnt = rng.poisson(k * rate * self.window_weight(lo, hi))
        cust = np.repeat(np.arange(len(cnt)), cnt)
        day = self.sample_days(rng, lo[cust], hi[cust])
        if fade_power is None:
            return cust, day
        keep = self.churn_keep(rng, cust, day, power=fade_power)
        return cust[keep], day[keep]

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

    # ---- landing -----------------------------------------------------------------------------
    def land_bucket(self, ts, hourly: bool):
        return ts // 3600 if hourly else ts // DAY

    def within_end(self, bucket, hourly: bool):
        """Rows whose landing day is inside the world."""
        return (bucket // 24 if hourly else bucket) <= self.end

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

    def exported(self, source: str, cols: dict[str, Any], key: str, bucket, hourly: bool,
                 ts=None) -> Frame:
        """The frame of a source's rows (``cols[key]``: the record each row is a version of):
        its duplicate re-exports added, sorted by landing bucket and then by the event time
        ``ts`` of each row's record (or by the record)."""
        frame, _ = self.add_reexports(Frame(source, cols, bucket, hourly), cols[key],
                                      self.rng(f"reexport/{source}"))
        ref = frame.cols[key]
        return frame.sort(ts=ts[ref]) if ts is not None else frame.sort(key=ref)

    def dirt_codes(self, source: str, column: str, n: int, case: float, ws: float):
        return D.variant_codes(self.rng(f"dirt/{source}/{column}"), n, case, ws)
