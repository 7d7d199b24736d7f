"""Landing layout, schemas and types: the contract the loader and dbt depend on."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta

import pyarrow.parquet as pq
import pytest

from include.c360.sources import SOURCES, source
from include.c360.warehouse.types import sql_type
from tests.generator.conftest import AS_OF, CONFIG, MONDAY, TUESDAY, scalar


def history_days():
    assert CONFIG.history_start == AS_OF - timedelta(days=CONFIG.history_days - 1)
    return [CONFIG.history_start + timedelta(days=i) for i in range(CONFIG.history_days)]


def test_history_writes_one_file_per_source_per_day(gen):
    by = gen.history.by_source()
    for src in SOURCES:
        if src.name == "products":
            expected = [src.file_key(AS_OF)]  # one full catalog at the as-of date
        else:
            expected = [src.file_key(d) for d in history_days()]
        assert by[src.name].keys == expected, src.name
    assert set(gen.history_checksums) == {k for s in gen.history.sources for k in s.keys}


@pytest.mark.parametrize("day", [MONDAY, TUESDAY])
def test_increment_layout(gen, day):
    summary = gen.monday if day == MONDAY else gen.tuesday
    by = summary.by_source()
    for src in SOURCES:
        if src.name in ("events", "transactions"):  # hourly / micro-batch files
            hours = [datetime(day.year, day.month, day.day, h) for h in range(24)]
            expected = [src.file_key(h) for h in hours]
        elif src.name == "products":  # weekly full export on Mondays only
            expected = [src.file_key(day)] if day.weekday() == 0 else []
        else:
            expected = [src.file_key(day)]
        assert by[src.name].keys == expected, src.name
    assert source("events").file_key(datetime(2026, 11, 30, 7)) == \
        "events/dt=2026-11-30/hr=07/events_20261130T0700.ndjson.gz"


def test_increments_never_rewrite_history(gen):
    for key, md5 in gen.history_checksums.items():
        assert gen.after_checksums[key] == md5, f"increment rewrote {key}"
    new = set(gen.after_checksums) - set(gen.history_checksums)
    expected = {k for s in (*gen.monday.sources, *gen.tuesday.sources) for k in s.keys}
    assert new == expected
    for key in new:
        assert f"/dt={MONDAY}/" in key or f"/dt={TUESDAY}/" in key, key


def test_file_columns_are_the_registry_raw_columns(gen):
    for src in SOURCES:
        names = [c.name for c in src.raw_columns]
        key = gen.history.by_source()[src.name].keys[-1]
        path = gen.landing / key
        if src.file_format == "csv_gzip":
            header = gzip.open(path, "rt").readline().strip()
            assert header == ",".join(f'"{n}"' for n in names), src.name
        elif src.file_format == "ndjson_gzip":
            first = json.loads(gzip.open(path, "rt").readline())
            assert list(first) == names
        else:
            schema = pq.read_schema(path)
            assert schema.names == names
            assert str(schema.field("transaction_date").type) == "timestamp[ms]"
            assert str(schema.field("amount").type) == "double"


def test_every_value_parses_as_its_spec_type(gen):
    for src in SOURCES:
        for c in src.raw_columns:
            if c.type == "varchar":
                continue
            bad = scalar(gen.con, f"""
                select count(*) from raw_{src.name}
                where "{c.name}" is not null
                  and try_cast(trim("{c.name}") as {sql_type('duckdb', c.type)}) is null""")
            assert bad == 0, f"{src.name}.{c.name} has values that are not {c.type}"


def test_csv_parses_with_the_spec_types_directly(gen):
    """A loader can read the CSVs with explicit column types (no auto-detection)."""
    for src in SOURCES:
        if src.file_format != "csv_gzip":
            continue
        cols = ", ".join(f"'{c.name}': '{sql_type('duckdb', c.type)}'" for c in src.raw_columns)
        g = gen.landing / src.name / "**" / "*.csv.gz"
        n = scalar(gen.con, f"select count(*) from read_csv('{g}', header=true, "
                            f"auto_detect=false, columns={{{cols}}})")
        assert n == scalar(gen.con, f"select count(*) from raw_{src.name}")


def test_gzip_headers_carry_no_time_or_name(gen):
    key = gen.history.by_source()["orders"].keys[0]
    head = (gen.landing / key).read_bytes()[:10]
    assert head[:3] == b"\x1f\x8b\x08"
    assert head[3] == 0  # no FNAME
    assert head[4:8] == b"\x00\x00\x00\x00"  # mtime 0
