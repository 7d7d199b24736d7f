"""The ground truth of a world (evaluation only; the pipeline never reads it): per customer
churn, fraud and latent preferences, the fraud-burst payments, and a manifest of the config.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

from include.c360.generator import payments
from include.c360.generator import pools as P
from include.c360.generator.config import DAY, NEVER, day_date
from include.c360.generator.export import customer_ids
from include.c360.generator.strings import fixed_ids
from include.c360.generator.world import World


def write_ground_truth(w: World, directory: str | Path | None, landing_uri: str) -> Path:
    """Write ``customers.parquet``, ``fraud_transactions.parquet`` and ``manifest.json``.

    Written under ``settings().ground_truth_dir`` (never inside the landing zone, never read
    by the pipeline).
    """
    import pyarrow.parquet as pq

    from include.c360.config import settings

    gt = Path(directory) if directory else settings().ground_truth_dir
    if not landing_uri.startswith("s3://"):
        lz_root = Path(landing_uri).resolve()
        if gt.resolve() == lz_root or lz_root in gt.resolve().parents:
            raise ValueError(f"ground truth dir {gt} must not be inside the landing zone")
    gt.mkdir(parents=True, exist_ok=True)
    pq.write_table(customer_truth(w), gt / "customers.parquet", compression="snappy")
    pq.write_table(fraud_truth(w), gt / "fraud_transactions.parquet", compression="snappy")
    manifest = {"config": {k: (v.isoformat() if isinstance(v, date) else v)
                           for k, v in asdict(w.cfg).items()},
                "history_start": day_date(w.start).isoformat(),
                "world_end": day_date(w.end).isoformat(),
                "customers_in_history": int(w.customers["n_hist"]),
                "seconds_per_day": DAY}
    (gt / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return gt


def customer_truth(w: World):
    """One row per customer of the world: churn, fraud, KYC and latent behaviour."""
    import numpy as np
    import pyarrow as pa

    c = w.customers
    n = c["n"]
    never = c["churn_day"] >= NEVER
    churn = np.where(never, 0, c["churn_day"]).astype(np.int32)
    bursts = np.bincount(c["burst_cust"], minlength=n)
    first_burst = np.full(n, -1, dtype=np.int64)
    first_burst[c["burst_cust"][::-1]] = c["burst_ts"][::-1]
    names = {"preferred_category": ([x[0] for x in P.CATEGORIES], np.argmax(c["pref"], axis=1)),
             "preferred_channel": (list(P.ORDER_CHANNELS), c["pref_channel"]),
             "preferred_device": (list(P.DEVICE_TYPES), c["pref_device"]),
             "country": ([x[0] for x in P.COUNTRIES], c["country"])}
    return pa.table({
        "customer_id": customer_ids(np.arange(n)),
        "signup_date": pa.array(c["signup_day"].astype(np.int32), pa.date32()),
        "in_history": pa.array(c["signup_day"] <= w.as_of),
        "is_churner": pa.array(~never),
        "churn_date": pa.array(churn, pa.date32(), mask=never),
        "churned_by_as_of": pa.array(~never & (c["churn_day"] <= w.as_of)),
        "is_fraud_actor": pa.array(c["is_fraud"]),
        "fraud_bursts": pa.array(bursts.astype(np.int64)),
        "first_fraud_at": pa.array(first_burst, pa.timestamp("s"), mask=first_burst < 0),
        "kyc_failed": pa.array(c["kyc_fail_day"] < NEVER),
        "value_multiplier": pa.array(c["value_mult"]),
        "order_rate": pa.array(c["activity"]),
        "session_rate": pa.array(c["session_rate"]),
        **{k: pa.array(pool).take(pa.array(idx)) for k, (pool, idx) in names.items()},
    })


def fraud_truth(w: World):
    """Every fraud-burst payment: transaction_id, customer_id, transaction_date."""
    import pyarrow as pa

    t = w.__dict__.get("_fraud_txn")
    if t is None:  # the payments were not exported in this run: simulate them
        t = payments.fraud_payments(payments.simulate_payments(w, w.rng("transactions")))
    idx, ts, cust = t
    return pa.table({
        "transaction_id": fixed_ids("TXN", idx + 1, 10),
        "customer_id": customer_ids(cust),
        "transaction_date": pa.array(ts * 1000, pa.timestamp("ms")),
    })
