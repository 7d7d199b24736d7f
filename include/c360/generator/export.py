"""Turn world frames into the exact raw files of each source and write them to the landing zone.

Formats (from the source registry): CSV gzip (header row; pyarrow's CSV writer into a gzip
level-1 stream), NDJSON gzip (lines built column-wise with Arrow string kernels), Parquet
(snappy). Byte-for-byte deterministic: gzip headers carry mtime 0 and no file name, rows are
ordered by landing bucket, event time and key.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from include.c360.generator import dirt as D
from include.c360.generator import frames as F
from include.c360.generator import pools as P
from include.c360.generator.strings import (
    concat_buffer,
    fixed_ids,
    hex_ids,
    iso_timestamps,
    json_string_or_null,
)
from include.c360.generator.world import DAY, Frame, World, _civil_np
from include.c360.sources import Source

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

log = logging.getLogger(__name__)

ARROW_TYPES = {"varchar": "string", "int": "int64", "float": "float64", "boolean": "bool",
               "date": "date32", "timestamp": "timestamp"}


def arrow_schema(src: Source, timestamp_unit: str = "s") -> pa.Schema:
    """The raw file schema: the registry's raw columns with the spec's types."""
    import pyarrow as pa

    types = {"varchar": pa.string(), "int": pa.int64(), "float": pa.float64(),
             "boolean": pa.bool_(), "date": pa.date32(),
             "timestamp": pa.timestamp(timestamp_unit)}
    return pa.schema([pa.field(c.name, types[c.type]) for c in src.raw_columns])


def _table(src: Source, arrays: dict[str, Any]) -> pa.Table:
    import pyarrow as pa

    unit = "ms" if src.file_format == "parquet" else "s"
    schema = arrow_schema(src, unit)
    missing = set(schema.names) ^ set(arrays)
    if missing:
        raise RuntimeError(f"{src.name}: generated columns differ from the spec: {missing}")
    cols = []
    for fld in schema:
        a = arrays[fld.name]
        if not isinstance(a, pa.Array):  # numpy: numbers, or epoch seconds for timestamps
            a = _ts(a, unit) if pa.types.is_timestamp(fld.type) else pa.array(a, fld.type)
        if a.type != fld.type:
            raise RuntimeError(f"{src.name}.{fld.name}: generated {a.type}, spec {fld.type}")
        cols.append(a)
    return pa.Table.from_arrays(cols, schema=schema)


def _ts(seconds, unit: str = "s"):
    """Epoch seconds (``-1`` = null) -> an Arrow timestamp array."""
    import numpy as np
    import pyarrow as pa

    s = np.asarray(seconds, dtype=np.int64)
    mask = s < 0
    vals = s * 1000 if unit == "ms" else s
    return pa.array(vals, pa.timestamp(unit), mask=mask if mask.any() else None)


def _dates(days):
    import numpy as np
    import pyarrow as pa

    return pa.array(np.asarray(days, dtype=np.int32), pa.date32())


def _nullable(arr: pa.Array, null_mask) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    if not np.any(null_mask):
        return arr
    return arr.take(pa.array(np.arange(len(arr)), mask=np.asarray(null_mask)))


def _customer_ids(cust) -> pa.Array:
    return fixed_ids("C", cust + 1, 8)


def _yyyymmdd(days) -> pa.Array:
    y, m, d = _civil_np(days)
    return fixed_ids("", y * 10000 + m * 100 + d, 8)


# ---- per-source materialisation ---------------------------------------------------------------

def _contact_strings(w: World) -> tuple[pa.Array, pa.Array]:
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
    w.__dict__["_contact_strings"] = (email, _nullable(phone, c["phone_null"]))
    return w.__dict__["_contact_strings"]


def customers_table(w: World, fr: Frame, lo: int, hi: int, src: Source) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    c, pools = w.customers, w.pools
    col = {k: v[lo:hi] for k, v in fr.cols.items()}
    cust = col["cust"]
    first_i, last_i = c["first"][cust], c["last"][cust]
    email, phone = _contact_strings(w)
    email, phone = email.take(pa.array(cust)), phone.take(pa.array(cust))
    state = c["state"][cust]
    lang_idx = c["language"][cust]
    arrays = {
        "customer_id": _customer_ids(cust),
        "first_name": D.dirty_take(pools.first_names, "title", first_i, col["first_code"]),
        "last_name": D.dirty_take(pools.last_names, "title", last_i, col["last_code"]),
        "email": email,
        "phone": phone,
        "signup_date": _dates(c["signup_day"][cust]),
        "state": D.dirty_take([s for s, _ in P.US_STATES], "upper", np.maximum(state, 0),
                              col["state_code"], mask=state < 0),
        "country": D.dirty_take([x[0] for x in P.COUNTRIES], "upper", c["country"][cust],
                                col["country_code"]),
        "kyc_status": D.dirty_take(P.KYC_STATUSES, "lower", col["kyc"], col["kyc_code"]),
        "account_status": D.dirty_take(P.ACCOUNT_STATUSES, "lower", col["acc"],
                                       col["acc_code"]),
        "preferred_language": pa.array(list(P.LANGUAGES)).take(
            pa.array(lang_idx, mask=col["lang_null"])),
    }
    return _table(src, arrays)


def orders_table(w: World, fr: Frame, lo: int, hi: int, src: Source) -> pa.Table:
    o = w.orders
    col = {k: v[lo:hi] for k, v in fr.cols.items()}
    oi = col["order"]
    arrays = {
        "order_id": fixed_ids("ORD", oi + 1, 9),
        "customer_id": _customer_ids(o["cust"][oi]),
        "order_date": _dates(o["day"][oi]),
        "order_status": D.dirty_take(P.ORDER_STATUSES, "lower", col["status"],
                                     col["status_code"]),
        "total_amount": o["total"][oi],
        "product_id": fixed_ids("P", o["prod"][oi] + 1, 6),
        "quantity": o["qty"][oi],
        "channel": D.dirty_take(P.ORDER_CHANNELS, "lower", o["chan"][oi], col["chan_code"]),
    }
    return _table(src, arrays)


def campaign_names(w: World) -> list[str]:
    import calendar

    s = w.campaigns
    y, m, _ = _civil_np(s["camp_day"])
    names = []
    for i in range(len(s["camp_day"])):
        theme = P.CAMPAIGN_THEMES[s["camp_theme"][i]]
        cat = s["camp_cat"][i]
        what = f"{theme} - {P.CATEGORIES[cat][0]}" if cat >= 0 else theme
        chan = P.CAMPAIGN_CHANNELS[s["camp_chan"][i]]
        names.append(f"{what} {calendar.month_abbr[int(m[i])]} {int(y[i])} ({chan})")
    return names


def campaigns_table(w: World, fr: Frame, lo: int, hi: int, src: Source) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    s = w.campaigns
    col = {k: v[lo:hi] for k, v in fr.cols.items()}
    si = col["send"]
    camp = s["camp"][si]
    cust_ids = _customer_ids(s["cust"][si])
    sent = s["sent"][si]
    arrays = {
        "campaign_id": pc.binary_join_element_wise(
            fixed_ids("CMP", camp + 1, 5), cust_ids, _yyyymmdd(sent // DAY), "-"),
        "customer_id": cust_ids,
        "campaign_name": pa.array(w.__dict__.setdefault("_campaign_names", campaign_names(w))
                                  ).take(pa.array(camp)),
        "channel": D.dirty_take(P.CAMPAIGN_CHANNELS, "lower", s["camp_chan"][camp],
                                col["chan_code"]),
        "sent_at": _ts(sent),
        "opened_at": _ts(s["opened_at"][si]),
        "clicked_at": _ts(s["clicked_at"][si]),
        "converted": pa.array(w.converted[si]),
    }
    return _table(src, arrays)


def transactions_table(w: World, fr: Frame, lo: int, hi: int, src: Source,
                       t: dict[str, Any]) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    col = {k: v[lo:hi] for k, v in fr.cols.items()}
    ti = col["txn"]
    order = t["order"][ti]
    cur_pool = pa.array([v for c in P.CURRENCIES for v in (c, c.lower())])
    arrays = {
        "transaction_id": fixed_ids("TXN", ti + 1, 10),
        "customer_id": _customer_ids(t["cust"][ti]),
        "order_id": _nullable(fixed_ids("ORD", np.maximum(order, 0) + 1, 9), order < 0),
        "transaction_date": _ts(t["ts"][ti], "ms"),
        "amount": t["amount"][ti],
        "currency": cur_pool.take(pa.array(t["cur"][ti].astype(np.int64) * 2
                                           + col["cur_lower"])),
        "payment_method": D.dirty_take(P.PAYMENT_METHODS, "lower", t["method"][ti],
                                       col["payment_method_code"]),
        "transaction_type": D.dirty_take(P.TXN_TYPES, "lower", t["type"][ti],
                                         col["transaction_type_code"]),
        "status": D.dirty_take(P.TXN_STATUSES, "lower", t["status"][ti], col["status_code"]),
        "merchant_id": fixed_ids("MRC", t["merchant"][ti], 6),
    }
    return _table(src, arrays)


def events_table(w: World, fr: Frame, lo: int, hi: int, src: Source,
                 ev: dict[str, Any]) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    col = {k: v[lo:hi] for k, v in fr.cols.items()}
    ei = col["ev"]
    cust = ev["cust"][ei]
    urls = w.__dict__.setdefault("_url_pool", pa.array(F.url_pool(w)))
    arrays = {
        "event_id": hex_ids("EV", ei),
        "customer_id": _nullable(_customer_ids(np.maximum(cust, 0)), cust < 0),
        "session_id": hex_ids("SS", ev["sess"][ei].astype(np.int64) + (1 << 40)),
        "event_type": pa.array(list(P.EVENT_TYPES)).take(pa.array(ev["type"][ei])),
        "page_url": urls.take(pa.array(ev["url"][ei])),
        "event_timestamp": _ts(ev["ts"][ei]),
        "device_type": D.dirty_take(P.DEVICE_TYPES, "lower", ev["dev"][ei], col["dev_code"]),
        "browser": pa.array(ev["browsers"]).take(pa.array(ev["brow"][ei])),
    }
    return _table(src, arrays)


def tickets_table(w: World, fr: Frame, lo: int, hi: int, src: Source,
                  t: dict[str, Any]) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    col = {k: v[lo:hi] for k, v in fr.cols.items()}
    ti = col["ticket"]
    fin = col["is_final"]
    status = np.where(fin, t["final"][ti], t["interim"][ti])
    resolved = np.where(fin, t["resolved_at"][ti], -1)
    csat = np.where(fin, t["csat"][ti], -1)
    arrays = {
        "ticket_id": fixed_ids("TKT", ti + 1, 8),
        "customer_id": _customer_ids(t["cust"][ti]),
        "created_at": _ts(t["created"][ti]),
        "resolved_at": _ts(resolved),
        "category": D.dirty_take(P.TICKET_CATEGORIES, "lower", t["cat"][ti],
                                 col["category_code"]),
        "priority": D.dirty_take(P.TICKET_PRIORITIES, "lower", t["pri"][ti],
                                 col["priority_code"]),
        "status": D.dirty_take(P.TICKET_STATUSES, "lower", status, col["status_code"]),
        "satisfaction_score": pa.array(np.maximum(csat, 0), pa.int64(), mask=csat < 0),
    }
    return _table(src, arrays)


def products_table(w: World, day: int, src: Source) -> pa.Table:
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
    return _table(src, arrays)


# ---- writers -----------------------------------------------------------------------------

class _Counting:
    """File-like wrapper counting the bytes written through it."""

    def __init__(self, fh):
        self.fh, self.n = fh, 0

    def write(self, b) -> int:
        self.fh.write(b)
        self.n += len(b)
        return len(b)

    def flush(self) -> None:
        self.fh.flush()


def _gzip(fh) -> gzip.GzipFile:
    # filename="" and mtime=0: the gzip header is the same on every run
    return gzip.GzipFile(filename="", mode="wb", compresslevel=1, fileobj=fh, mtime=0)


def ndjson_lines(table: pa.Table) -> pa.Array:
    """One JSON object per row, in column order, each ending with a newline.

    Values never hold quotes or backslashes (ids, codes, pooled names/urls), so strings are
    wrapped in quotes without escaping; columns without nulls get their quotes folded into
    the literal pieces, which keeps the single join kernel call cheap.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces: list[Any] = []
    literal = ""
    for i, fld in enumerate(table.schema):
        arr = table.column(i).combine_chunks()
        literal += ("{" if i == 0 else ",") + f'"{fld.name}":'
        if pa.types.is_timestamp(fld.type):
            secs = arr.cast(pa.int64()).to_numpy(zero_copy_only=False)
            arr = _nullable(iso_timestamps(np.nan_to_num(secs).astype(np.int64)),
                            np.asarray(arr.is_null()))
        elif not pa.types.is_string(fld.type):
            pieces += [literal, pc.fill_null(pc.cast(arr, pa.string()), "null")]
            literal = ""
            continue
        if arr.null_count:
            pieces += [literal, json_string_or_null(arr)]
            literal = ""
        else:
            pieces += [literal + '"', arr]
            literal = '"'
    pieces.append(literal + "}\n")
    return pc.binary_join_element_wise(*pieces, "")


def write_file(lz, key: str, table: pa.Table, file_format: str) -> int:
    """Write one export file through the landing zone; returns its size in bytes."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    with lz.open_writer(key) as raw:
        out = _Counting(raw)
        if file_format == "csv_gzip":
            gz = _gzip(out)
            pacsv.write_csv(table, gz, pacsv.WriteOptions(include_header=True))
            gz.close()
        elif file_format == "ndjson_gzip":
            gz = _gzip(out)
            if table.num_rows:
                gz.write(concat_buffer(ndjson_lines(table)))
            gz.close()
        elif file_format == "parquet":
            import pyarrow as pa

            sink = pa.BufferOutputStream()
            pq.write_table(table, sink, compression="snappy")
            out.write(sink.getvalue())
        else:  # pragma: no cover
            raise ValueError(f"unknown file format {file_format!r}")
        return out.n


def day_slices(frame: Frame, days: list[int], chunk_rows: int = 400_000
               ) -> Iterator[tuple[int, int, list[tuple[int, int, int]]]]:
    """Group consecutive days into chunks of about ``chunk_rows`` rows.

    Yields (lo, hi, [(day, start, stop) relative to lo]) so one Arrow table is built per
    chunk and sliced (zero-copy) per file.
    """
    import numpy as np

    land = frame.land_day
    bounds = np.searchsorted(land, np.asarray(days + [days[-1] + 1]), side="left")
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and bounds[j + 2] - bounds[i] <= chunk_rows:
            j += 1
        lo, hi = int(bounds[i]), int(bounds[j + 1])
        yield lo, hi, [(days[k], int(bounds[k]) - lo, int(bounds[k + 1]) - lo)
                       for k in range(i, j + 1)]
        i = j + 1
