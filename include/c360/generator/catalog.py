"""Product catalog (source ``products``): the products, their prices and lifetimes, and the
weekly full-catalog export (TRUNCATE + INSERT downstream).

``simulate_products`` is the ``World.products`` stage the OMS sells from (``pick_products``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.generator.config import NEVER
from include.c360.generator.export import arrow_table
from include.c360.generator.strings import fixed_ids
from include.c360.generator.world import World

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def simulate_products(w: World) -> dict[str, Any]:
    """Products per category (at least 12 each), introduced before or during the window;
    12 % are discontinued, but every category keeps a few evergreen ones."""
    import numpy as np

    rng = w.rng("products")
    n = w.cfg.volume("products", 200)
    cat_w = np.array([.14, .14, .16, .10, .10, .08, .10, .08, .05, .05])
    counts = np.maximum(12, np.floor(cat_w / cat_w.sum() * n)).astype(int)
    cat = np.repeat(np.arange(len(P.CATEGORIES)), counts)
    n = len(cat)
    sub = np.array([rng.integers(0, len(P.CATEGORIES[k][2])) for k in cat])
    median = np.array([P.CATEGORIES[k][1] for k in cat])
    price = np.floor(rng.lognormal(np.log(median), 0.6)) + 0.99
    pre = rng.random(n) < 0.8
    intro = np.where(pre, w.start - 1 - rng.integers(0, 700, size=n),
                     w.start + rng.integers(0, w.n_days, size=n))
    disc_p = rng.random(n) < 0.12
    disc = intro + 60 + rng.integers(0, 600, size=n)
    disc = np.where(disc_p & (disc <= w.end), disc, NEVER)
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
    p["brand"] = rng.integers(0, len(w.pools.brands), size=n)
    p["adj"] = rng.integers(0, len(P.PRODUCT_ADJECTIVES), size=n)
    p["model"] = rng.integers(1, 10, size=n)
    _popularity(rng, p)
    return p


def _popularity(rng, p: dict[str, Any]) -> None:
    """Popularity inside each category (Zipf-like) as a cumulative [k, k+1) per category
    (``by_cat_idx``/``by_cat_cum``), and the evergreen products of each category."""
    import numpy as np

    n = p["n"]
    pop = 1.0 / (rng.permutation(n) % 97 + 3) ** 0.9
    order_c = np.lexsort((np.arange(n), p["cat"]))
    segments = []
    for k in range(len(P.CATEGORIES)):
        idx = order_c[p["cat"][order_c] == k]
        cs = np.cumsum(pop[idx])
        segments.append((idx, k + cs / cs[-1]))
    p["by_cat_idx"] = np.concatenate([s[0] for s in segments])
    p["by_cat_cum"] = np.concatenate([s[1] for s in segments])
    ev = [np.flatnonzero(p["evergreen"] & (p["cat"] == k)) for k in range(len(P.CATEGORIES))]
    p["ever_idx"] = np.concatenate(ev)
    p["ever_cnt"] = np.array([len(e) for e in ev])
    p["ever_off"] = np.concatenate([[0], np.cumsum(p["ever_cnt"])[:-1]])


def pick_products(w: World, rng, cat, day):
    """A live product of category ``cat`` on ``day`` for each row (popularity-weighted)."""
    import numpy as np

    p = w.products
    pos = np.searchsorted(p["by_cat_cum"], cat + rng.random(len(cat)) * 0.999999)
    prod = p["by_cat_idx"][np.minimum(pos, p["n"] - 1)]
    # a product sells from a week after its introduction, so it is in a weekly catalog
    # export (or the history's catalog) by the time any order references it
    live = ((p["intro"][prod] <= day - 7) & (day < p["disc"][prod])
            & (p["cat"][prod] == cat))
    alt = p["ever_idx"][p["ever_off"][cat]
                        + (rng.random(len(cat)) * p["ever_cnt"][cat]).astype(np.int64)]
    return np.where(live, prod, alt)


def products_table(w: World, day: int) -> pa.Table:
    """The full catalog as exported on ``day``: every product introduced by then."""
    import numpy as np
    import pyarrow as pa

    p = w.products
    idx = np.flatnonzero(p["intro"] <= day)
    names = []
    for i in idx:
        cat = P.CATEGORIES[p["cat"][i]]
        names.append(f"{w.pools.brands[p['brand'][i]]} {P.PRODUCT_ADJECTIVES[p['adj'][i]]} "
                     f"{cat[2][p['sub'][i]]} {p['model'][i]}")
    ws = w.rng("dirt/products/product_name").random(p["n"])[idx] < D.PRODUCT_WS
    names = [f" {n} " if d else n for n, d in zip(names, ws, strict=True)]
    cat_codes = w.dirt_codes("products", "category", p["n"], D.ENUM_CASE, 0.0)[idx]
    sub_codes = w.dirt_codes("products", "subcategory", p["n"], D.ENUM_CASE, 0.0)[idx]
    sub_all = [s for _, _, subs in P.CATEGORIES for s in subs]
    sub_off = np.cumsum([0] + [len(c[2]) for c in P.CATEGORIES])[:-1]
    sub_flat = sub_off[p["cat"][idx]] + p["sub"][idx]
    arrays = {
        "product_id": fixed_ids("P", idx + 1, 6),
        "product_name": pa.array(names, pa.string()),
        "category": D.dirty_take([c[0] for c in P.CATEGORIES], "title", p["cat"][idx],
                                 np.minimum(cat_codes, 2)),
        "subcategory": D.dirty_take(sub_all, "title", sub_flat, np.minimum(sub_codes, 2)),
        "unit_price": p["price"][idx],
        "is_active": pa.array(p["disc"][idx] > day),
    }
    return arrow_table("products", arrays)
