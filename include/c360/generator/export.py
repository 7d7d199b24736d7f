"""What every source system's export shares: typed Arrow tables of the raw schema, and the
writers of the exact raw files of each source in the landing zone.

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

from include.c360.generator.strings import (
    civil,
    concat_buffer,
    fixed_ids,
    iso_timestamps,
    json_string_or_null,
)
from include.c360.sources import Source, source

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from include.c360.generator.world import Frame

log = logging.getLogger(__name__)


def arrow_schema(src: Source, timestamp_unit: str = "s") -> pa.Schema:
    """The raw file schema: the registry's raw columns with the spec's types."""
    import pyarrow as pa

    types = {"varchar": pa.string(), "int": pa.int64(), "float": pa.float64(),
             "boolean": pa.bool_(), "date": pa.date32(),
             "timestamp": pa.timestamp(timestamp_unit)}
    return pa.schema([pa.field(c.name, types[c.type]) for c in src.raw_columns])


def arrow_table(source_name: str, arrays: dict[str, Any]) -> pa.Table:
    """A source's raw columns as a table of the spec's types (numpy arrays are converted;
    epoch seconds become timestamps); a missing, extra or mistyped column is an error."""
    import pyarrow as pa

    src = source(source_name)
    unit = "ms" if src.file_format == "parquet" else "s"
    schema = arrow_schema(src, unit)
    missing = set(schema.names) ^ set(arrays)
    if missing:
        raise RuntimeError(f"{src.name}: generated columns differ from the spec: {missing}")
    cols = []
    for fld in schema:
        a = arrays[fld.name]
        if not isinstance(a, pa.Array):  # numpy: numbers, or epoch seconds for timestamps
            a = timestamps(a, unit) if pa.types.is_timestamp(fld.type) else pa.array(a, fld.type)
        if a.type != fld.type:
            raise RuntimeError(f"{src.name}.{fld.name}: generated {a.type}, spec {fld.type}")
        cols.append(a)
    return pa.Table.from_arrays(cols, schema=schema)


def timestamps(seconds, unit: str = "s"):
    """Epoch seconds (``-1`` = null) -> an Arrow timestamp array."""
    import numpy as np
    import pyarrow as pa

    s = np.asarray(seconds, dtype=np.int64)
    mask = s < 0
    vals = s * 1000 if unit == "ms" else s
    return pa.array(vals, pa.timestamp(unit), mask=mask if mask.any() else None)


def dates(days):
    import numpy as np
    import pyarrow as pa

    return pa.array(np.asarray(days, dtype=np.int32), pa.date32())


def nullable(arr: pa.Array, null_mask) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    if not np.any(null_mask):
        return arr
    return arr.take(pa.array(np.arange(len(arr)), mask=np.asarray(null_mask)))


def customer_ids(cust) -> pa.Array:
    """``C`` + the customer's number, 8 digits (every source references customers so)."""
    return fixed_ids("C", cust + 1, 8)


def yyyymmdd(days) -> pa.Array:
    y, m, d = civil(days)
    return fixed_ids("", y * 10000 + m * 100 + d, 8)


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
            arr = nullable(iso_timestamps(np.nan_to_num(secs).astype(np.int64)),
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


class ExportExists(FileExistsError):
    """An export with other content is already at the key: the generator never replaces one."""


def write_file(lz, key: str, table: pa.Table, file_format: str) -> int:
    """Write one export file through the landing zone; returns its size in bytes.

    Never overwrites: when the key exists with the same bytes (a re-run of the same world)
    nothing is written; with other bytes ``ExportExists`` is raised and the file is kept.
    """
    import hashlib
    import io

    buf = io.BytesIO()
    size = encode_file(buf, table, file_format)
    data = buf.getbuffer()
    if lz.exists(key):
        existing = lz.md5(key)
        if "-" in existing:  # a multipart S3 ETag is no MD5: hash the object's bytes
            existing = hashlib.md5(lz.open(key).read()).hexdigest()
        if existing == hashlib.md5(data).hexdigest():
            return size
        raise ExportExists(
            f"{lz.uri}: {key} already exists with other content; the generator never "
            f"overwrites an export (write into an empty landing zone, e.g. `make clean-data` "
            f"locally, or re-run with the same seed/scale/as_of, which writes the same bytes)")
    with lz.open_writer(key) as raw:
        raw.write(data)
    return size


def encode_file(raw, table: pa.Table, file_format: str) -> int:
    """Encode ``table`` as an export file into the binary stream ``raw``; returns its size."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

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
