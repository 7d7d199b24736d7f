"""Erasure reaches the landing zone's own files: the quarantined exports of the PII sources
(rejected by a real ingestion run, so never in RAW) lose the customer's records, and the
compliance export loses the customer's personal-data columns (``pii.landing_files``)."""

from __future__ import annotations

import csv
import gzip
import io
import re
from datetime import UTC, date, datetime, timedelta

from include.c360.catalog import pii_columns
from include.c360.pii import landing_files
from include.c360.sources import source

CID, OTHER = "C00000042", "C00000043"
DAY = date(2026, 11, 20)
PII = {CID: ("Ada", "Lovelace", "ada.lovelace@example.com", "+1 555 0142"),
       OTHER: ("Alan", "Turing", "alan.turing@example.com", "+1 555 0143")}


def _customers(ids: list[str], bad_row: int | None = None) -> dict[str, list]:
    from tests.ingest.exports import rows_for

    src = source("customers")
    cols = rows_for(src, len(ids), DAY)
    cols["customer_id"] = list(ids)
    for i, name in enumerate(("first_name", "last_name", "email", "phone")):
        cols[name] = [PII[c][i] for c in ids]
    if bad_row is not None:  # a date that does not convert: the file is rejected
        cols["signup_date"] = [str(d) for d in cols["signup_date"]]
        cols["signup_date"][bad_row] = "not-a-date"
    return cols


def _quarantine(tmp_path, zone):
    """Two rejected CRM exports naming the customer: a bad value, and a cut gzip stream."""
    from include.c360.ingest.config import IngestConfig
    from include.c360.ingest.duckdb_loader import DuckDBLoader
    from include.c360.ingest.run import ingest
    from tests.ingest.exports import encode, write_export

    src = source("customers")
    bad_value = write_export(zone, src, DAY, 3, cols=_customers([OTHER, CID, OTHER], 2))
    whole = encode(src, _customers([CID, OTHER] * 200))
    cut = src.file_key(DAY + timedelta(days=1))
    with zone.open_writer(cut) as fh:
        fh.write(whole[: len(whole) // 2])
    start = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    with DuckDBLoader(tmp_path / "wh.duckdb", IngestConfig()) as wh:
        wh.setup()
        r = ingest(src, start, start + timedelta(days=2), zone=zone, wh=wh,
                   config=IngestConfig(on_error="continue", lookback_days=0), run_id="r1")
    assert sorted(e.key for e in r.errors) == [bad_value, cut]
    return "_quarantine/" + bad_value, "_quarantine/" + cut


def _export(zone) -> str:
    """A compliance export file as the report writes it (pandas' CSV of its query)."""
    import pandas as pd

    from include.c360.report.export import export_key

    frame = pd.DataFrame({
        "transaction_id": ["T1", "T2", "T3"], "transaction_date": ["2026-11-20 01:02:03"] * 3,
        "customer_id": [CID, OTHER, CID], "full_name": ["ada lovelace", "alan turing",
                                                        "ada lovelace"],
        "email": [PII[CID][2], PII[OTHER][2], PII[CID][2]], "country": ["GB", "GB", "GB"],
        "kyc_status": ["verified"] * 3, "amount": [950.5, 12.0, 1200.0]})
    key = export_key(DAY)
    with zone.open_writer(key) as fh:
        fh.write(frame.to_csv(index=False).encode())
    return key


def test_erasure_rewrites_the_quarantined_files_and_the_compliance_export(tmp_path):
    from include.c360.landing import LocalLandingZone
    from include.c360.privacy import erase_customer_files

    zone = LocalLandingZone(tmp_path / "landing")
    bad_value, cut = _quarantine(tmp_path, zone)
    export = _export(zone)
    with zone.open(export) as fh:
        export_before = list(csv.DictReader(io.StringIO(fh.read().decode())))

    done = erase_customer_files(CID, zone)
    assert done == {
        bad_value: "rewritten without the customer's 1 record(s)",
        cut: "deleted: the file does not decompress and names the customer",
        export: "emptied full_name, email in the customer's 2 row(s)"}
    # the rejected export keeps its header and the other person's records, still as rejected
    with zone.open(bad_value) as fh:
        text = gzip.decompress(fh.read()).decode()
    assert CID not in text and not any(v in text for v in PII[CID])
    header = next(csv.reader(io.StringIO(text)))
    assert header == [c.name for c in source("customers").raw_columns]
    assert text.count(OTHER) == 2 and "not-a-date" in text
    assert not zone.exists(cut)
    with zone.open(export) as fh:
        export_after = list(csv.DictReader(io.StringIO(fh.read().decode())))
    for before, after in zip(export_before, export_after, strict=True):
        if before["customer_id"] == CID:
            assert after == {**before, "full_name": "", "email": ""}
        else:
            assert after == before
    # nothing left to do: a re-run (a retried task) changes nothing
    assert erase_customer_files(CID, zone) == {}


def test_the_landing_files_declare_the_personal_data_they_carry():
    from include.c360.ingest.sql import SQL_DIR
    from include.c360.report.export import EXPORT_PREFIX

    specs = {s.kind: s for s in landing_files()}
    assert specs["quarantine"].prefix == "_quarantine/customers/"
    assert specs["quarantine"].columns == pii_columns("stg_customers")
    assert specs["quarantine"].file_format in {"csv_gzip", "ndjson_gzip"}  # a line per record
    # the export's columns from dim_customers that are personal data are exactly the declared
    sql = (SQL_DIR / "common" / "high_risk_transactions.sql").read_text()
    from_customers = set(re.findall(r"customers\.(\w+),?\n", sql))
    assert set(specs["export"].columns) == from_customers & set(pii_columns("dim_customers"))
    assert specs["export"].prefix == EXPORT_PREFIX + "/"
