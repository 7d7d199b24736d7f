"""Bad input never passes silently and never blocks good data.

Every kind of bad file, in each file format, lands in quarantine with an error naming file,
row and column, is in the load history, and the good file of the same batch loads.
"""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime

import pytest

from include.c360.ingest.config import QUARANTINE_PREFIX, IngestConfig
from include.c360.ingest.run import IngestError, ingest
from include.c360.sources import source
from tests.ingest.exports import encode, rows_for, write_bad_value, write_export

pytestmark = pytest.mark.timeout(60)

GOOD_DAY, BAD_DAY = date(2026, 11, 23), date(2026, 11, 24)
RUN = (datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
# one source per file format, and a typed (non-varchar) column of each to break
FORMATS = {"orders": "total_amount", "events": "event_timestamp", "transactions": "amount"}
KINDS = ["missing_column", "extra_column", "renamed_column", "wrong_type", "truncated",
         "empty_file"]


def _bad_bytes(kind: str, name: str, column: str) -> tuple[bytes, int | None, str | None]:
    """The bad file's bytes, the row (0 = header/schema) and column the error must name."""
    src = source(name)
    cols = rows_for(src, 12, BAD_DAY, seed=9)
    header_row = 1 if src.file_format == "ndjson_gzip" else 0
    if kind == "missing_column":
        cols.pop(column)
        return encode(src, cols), header_row, column
    if kind == "extra_column":
        cols["loyalty_tier"] = ["gold"] * 12
        return encode(src, cols), header_row, "loyalty_tier"
    if kind == "renamed_column":
        cols = {("amt" if k == column else k): v for k, v in cols.items()}
        return encode(src, cols), header_row, column
    if kind == "wrong_type":
        cols[column] = [str(v) for v in cols[column]]
        cols[column][3] = "not-a-value"
        return encode(src, cols), 4, column
    if kind == "truncated":
        data = encode(src, rows_for(src, 3000, BAD_DAY, seed=9))
        return data[: len(data) // 2], None, None
    if kind == "empty_file":
        return b"", None, None
    raise AssertionError(kind)


@pytest.mark.parametrize("on_error", ["fail", "continue"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", list(FORMATS))
def test_bad_file_is_quarantined_and_good_file_loads(name, kind, on_error, env, zone, wh):
    src = source(name)
    good_key = write_export(zone, src, GOOD_DAY, 20, hour=5)
    bad_key = src.file_key(datetime(2026, 11, 24, 6) if src.partition == "hour" else BAD_DAY)
    data, row, column = _bad_bytes(kind, name, FORMATS[name])
    with zone.open_writer(bad_key) as fh:
        fh.write(data)

    cfg = IngestConfig(on_error=on_error, lookback_days=1)
    if on_error == "fail":
        with pytest.raises(IngestError) as exc:
            ingest(src, *RUN, zone=zone, wh=wh, config=cfg)
        message = str(exc.value)
    else:
        report = ingest(src, *RUN, zone=zone, wh=wh, config=cfg)
        assert len(report.errors) == 1
        message = str(report.errors[0])
    assert bad_key in message

    # the good file of the same batch loaded, nothing of the bad one did
    per_file = dict(wh.con.execute(
        f"select _source_file, count(*) from raw.{name} group by 1").fetchall())
    assert per_file == {good_key: 20}
    # moved aside to _quarantine/<original key>
    assert not zone.exists(bad_key)
    assert zone.exists(QUARANTINE_PREFIX + bad_key)
    # in the load history with file, row and column
    hist = wh.con.execute(
        "select status, error_row, error_column, error_message, quarantine_key "
        "from raw_meta.load_history where file_key = ?", [bad_key]).fetchall()
    assert len(hist) == 1
    status, err_row, err_col, err_msg, qkey = hist[0]
    assert status == "FAILED" and qkey == QUARANTINE_PREFIX + bad_key
    assert bad_key in err_msg
    if column is not None:
        assert err_col == column and repr(column) in err_msg
    if row is not None:
        assert err_row == row
    if kind == "truncated" and src.file_format != "parquet":
        assert "truncated" in err_msg and err_row is not None and err_row > 1
    if kind == "empty_file":
        assert "empty" in err_msg
    if kind == "renamed_column":
        assert "renamed" in err_msg
    # a retry of the same run (the file no longer in the partition) still fails over it under
    # on_error=fail, naming file, row and column; a run that did not reject it is not held up
    if on_error == "fail":
        with pytest.raises(IngestError) as retry:
            ingest(src, *RUN, zone=zone, wh=wh, config=cfg)
        assert bad_key in str(retry.value) and "still unresolved" in str(retry.value)
        assert err_msg in str(retry.value)
    else:
        assert ingest(src, *RUN, zone=zone, wh=wh, config=cfg).unresolved[0].key == bad_key
    again = ingest(src, *RUN, zone=zone, wh=wh, config=cfg, run_id="another run")
    assert again.errors == [] and again.loaded == [] and again.unresolved == []


def test_error_message_names_file_row_and_column_for_a_bad_csv_value(env, zone, wh):
    src = source("support_tickets")
    cols = rows_for(src, 9, BAD_DAY)
    cols["satisfaction_score"] = [str(v) for v in cols["satisfaction_score"]]
    cols["satisfaction_score"][6] = "five"
    key = src.file_key(BAD_DAY)
    with zone.open_writer(key) as fh:
        fh.write(encode(src, cols))
    with pytest.raises(IngestError) as exc:
        ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig())
    assert (f"file {key} row 7, column 'satisfaction_score': value 'five' is not a valid int"
            in str(exc.value))


def test_header_only_csv_and_empty_ndjson_are_valid_empty_exports(env, zone, wh):
    for name in ("campaigns", "events"):
        src = source(name)
        key = write_export(zone, src, BAD_DAY, 0, hour=3, cols={c.name: [] for c in
                                                               src.raw_columns})
        with zone.open(key) as fh:
            assert gzip.decompress(fh.read()).count(b"\n") <= 1
        r = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig())
        assert r.errors == [] and [x.rows for x in r.loaded] == [0]


@pytest.mark.parametrize("policy", ["reload", "reject"])
def test_changed_file_under_the_same_name(policy, env, zone, wh):
    src = source("orders")
    key = write_export(zone, src, BAD_DAY, 10, seed=1)
    ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig())
    write_export(zone, src, BAD_DAY, 14, seed=2)  # re-exported with different content
    cfg = IngestConfig(on_changed_file=policy, on_error="continue")
    report = ingest(src, *RUN, zone=zone, wh=wh, config=cfg)
    assert report.changed == [key]
    hist = wh.con.execute("select status, replaced_rows, error_message from "
                          "raw_meta.load_history where file_key = ? order by finished_at",
                          [key]).fetchall()
    rows = wh.con.execute("select count(*), count(distinct order_id) from raw.orders").fetchone()
    if policy == "reload":
        assert rows == (14, 14)  # the previous 10 rows replaced, nothing duplicated
        assert [h[0] for h in hist] == ["LOADED", "LOADED"] and hist[1][1] == 10
        assert zone.exists(key)
    else:
        assert rows == (10, 10)  # previous rows kept
        assert [h[0] for h in hist] == ["LOADED", "REJECTED_CHANGED"]
        assert key in hist[1][2] and "changed" in hist[1][2]
        assert zone.exists(QUARANTINE_PREFIX + key) and not zone.exists(key)
        with pytest.raises(IngestError, match="changed since it was loaded"):
            write_export(zone, src, BAD_DAY, 12, seed=3)
            ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(on_changed_file="reject"))


@pytest.mark.parametrize("drift", ["missing", "extra"])
def test_ndjson_drift_in_a_later_record_is_caught(drift, env, zone, wh):
    """The first record is fine; record 6 lacks a key or carries an extra one."""
    import json as _json

    src = source("events")
    cols = rows_for(src, 9, BAD_DAY)
    records = [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]
    if drift == "missing":
        del records[5]["browser"]
    else:
        records[5]["referrer"] = "https://example.com"
    key = src.file_key(datetime(2026, 11, 24, 9))
    with zone.open_writer(key) as fh:
        fh.write(gzip.compress("".join(_json.dumps(r, default=str) + "\n"
                                       for r in records).encode()))
    good = write_export(zone, src, BAD_DAY, 4, hour=8)
    report = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(on_error="continue"))
    assert [r.key for r in report.loaded] == [good]
    err = report.errors[0]
    assert (err.key, err.row, err.column) == (key, 6, "browser" if drift == "missing"
                                              else "referrer")
    assert wh.con.execute("select count(*) from raw.events").fetchone()[0] == 4


def _reject_one(zone, wh, run_id: str) -> tuple:
    src = source("orders")
    good = write_export(zone, src, GOOD_DAY, 5, seed=4)
    bad = write_bad_value(zone, src, BAD_DAY, 6, "quantity", 3, "three", seed=5)
    with pytest.raises(IngestError, match="row 3, column 'quantity'"):
        ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(lookback_days=1), run_id=run_id)
    return src, good, bad


def test_a_corrected_file_delivered_again_resolves_the_run(env, zone, wh):
    src, good, bad = _reject_one(zone, wh, "run 1")
    with pytest.raises(IngestError, match="still unresolved"):  # the automatic retry
        ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(lookback_days=1),
               run_id="run 1")
    # the source system re-exports it, fixed
    assert write_bad_value(zone, src, BAD_DAY, 6, "quantity", 3, "3", seed=5) == bad
    r = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(lookback_days=1), run_id="run 1")
    assert [x.key for x in r.loaded] == [bad] and r.unresolved == []
    assert wh.con.execute("select status from raw_meta.load_history where file_key = ? "
                          "order by finished_at", [bad]).fetchall() == [("FAILED",), ("LOADED",)]
    assert wh.unresolved_failures(src) == []


def test_an_operator_accepts_a_rejection_and_the_run_passes(env, zone, wh):
    from include.c360.ingest.run import resolve_failed

    src, good, bad = _reject_one(zone, wh, "run 1")
    with pytest.raises(ValueError, match="not unresolved rejected files"):
        resolve_failed(src, [good], wh, "ops run")  # a loaded file: a typo must not pass
    assert resolve_failed(src, [bad], wh, "ops run") == [bad]
    rows = wh.con.execute("select status, run_id, error_row, error_column, error_message, "
                          "quarantine_key from raw_meta.load_history where file_key = ? "
                          "order by finished_at", [bad]).fetchall()
    assert [r[:4] for r in rows] == [("FAILED", "run 1", 3, "quantity"),
                                     ("RESOLVED", "ops run", 3, "quantity")]
    assert "accepted by run ops run" in rows[1][4] and rows[1][5] == QUARANTINE_PREFIX + bad
    # the failed run, cleared: passes; nothing of the file loaded, it stays in quarantine
    r = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(lookback_days=1), run_id="run 1")
    assert r.errors == [] and r.unresolved == []
    assert wh.con.execute("select count(*) from raw.orders where _source_file = ?",
                          [bad]).fetchone()[0] == 0
    assert zone.exists(QUARANTINE_PREFIX + bad)


def _events_file(zone, lines: list[str]) -> str:
    key = source("events").file_key(datetime(2026, 11, 24, 9))
    with zone.open_writer(key) as fh:
        fh.write(gzip.compress("".join(line + "\n" for line in lines).encode()))
    return key


def _event_lines(n: int) -> list[str]:
    import json as _json

    cols = rows_for(source("events"), n, BAD_DAY)
    return [_json.dumps(dict(zip(cols, vals, strict=True)), default=str)
            for vals in zip(*cols.values(), strict=True)]


@pytest.mark.parametrize("on_error", ["fail", "continue"])
@pytest.mark.parametrize("first", ["null", "42", '"text"', "[1, 2]"])
def test_an_ndjson_first_line_that_is_not_an_object_quarantines_the_file(first, on_error, env,
                                                                         zone, wh):
    """No TypeError escapes the pre-load check: the file is quarantined, the batch goes on."""
    src = source("events")
    key = _events_file(zone, [first, *_event_lines(3)])
    good = write_export(zone, src, BAD_DAY, 4, hour=8)
    cfg = IngestConfig(on_error=on_error)
    if on_error == "fail":
        with pytest.raises(IngestError, match=f"file {key} row 1: record is a JSON "):
            ingest(src, *RUN, zone=zone, wh=wh, config=cfg)
    else:
        report = ingest(src, *RUN, zone=zone, wh=wh, config=cfg)
        assert [(e.key, e.row) for e in report.errors] == [(key, 1)]
        assert "not an object" in str(report.errors[0])
    assert wh.con.execute("select _source_file, count(*) from raw.events group by 1"
                          ).fetchall() == [(good, 4)]
    assert zone.exists(QUARANTINE_PREFIX + key)
    assert [r[0] for r in wh.con.execute("select status from raw_meta.load_history "
                                         "where file_key = ?", [key]).fetchall()] == ["FAILED"]


def test_any_other_pre_check_failure_is_the_files_and_the_batch_goes_on(env, zone, wh,
                                                                         monkeypatch):
    from include.c360.ingest import validate

    src = source("orders")
    good = write_export(zone, src, GOOD_DAY, 5)
    bad = write_export(zone, src, BAD_DAY, 5, seed=3)
    real = validate._gzip_first_line

    def fails_on_bad(key, path):
        if key == bad:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        return real(key, path)

    monkeypatch.setattr(validate, "_gzip_first_line", fails_on_bad)
    report = ingest(src, *RUN, zone=zone, wh=wh,
                    config=IngestConfig(on_error="continue", lookback_days=1))
    assert [r.key for r in report.loaded] == [good]
    assert [e.key for e in report.errors] == [bad]
    assert "pre-load check could not read the file: UnicodeDecodeError" in str(report.errors[0])


def test_ndjson_records_with_their_keys_in_another_order_load(env, zone, wh):
    import json as _json

    src = source("events")
    lines = [_json.dumps(dict(reversed(list(_json.loads(line).items()))))
             if i % 2 == 0 else line for i, line in enumerate(_event_lines(6))]
    key = _events_file(zone, lines)
    report = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig())
    assert report.errors == [] and [(r.key, r.rows) for r in report.loaded] == [(key, 6)]
    ids = [_json.loads(line)["event_id"] for line in lines]
    assert wh.con.execute("select event_id from raw.events order by _source_row_number"
                          ).fetchall() == [(i,) for i in ids]


@pytest.mark.parametrize("blank_line", [False, True])
def test_a_malformed_ndjson_record_is_reported_as_its_own_row(blank_line, env, zone, wh):
    """Rows are record numbers, as _source_row_number (a blank line is no record)."""
    src = source("events")
    lines = _event_lines(6)
    lines[3] = lines[3][:25]  # record 4 cut short: DuckDB's parser stops on line 5
    if blank_line:
        lines.insert(1, "")
    key = _events_file(zone, lines)
    report = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(on_error="continue"))
    [err] = report.errors
    assert (err.key, err.row) == (key, 4) and "not valid JSON" in err.message


def test_a_json_array_file_gets_a_short_error(env, zone, wh):
    src = source("events")
    import json as _json

    records = [_json.loads(line) for line in _event_lines(3000)]
    key = _events_file(zone, [_json.dumps(records)])
    assert len(_json.dumps(records)) > 500_000
    report = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(on_error="continue"))
    [err] = report.errors
    assert (err.key, err.row) == (key, 1) and "JSON array, not an object" in str(err)
    assert len(str(err)) < 400
    msg = wh.con.execute("select error_message from raw_meta.load_history where file_key = ?",
                         [key]).fetchone()[0]
    assert msg == str(err)


def test_an_error_message_is_capped_whatever_its_source():
    from include.c360.ingest.errors import MAX_MESSAGE, FileError

    err = FileError("k", "x" * 900_000, 3, "c")
    assert len(err.message) < MAX_MESSAGE + 40 and "899400 more characters" in err.message


def _csv_lines(src, n: int) -> list[bytes]:
    return gzip.decompress(encode(src, rows_for(src, n, BAD_DAY, seed=9))).splitlines(True)


CSV_DEFECTS = {
    # data row 3 (line 4) broken each way: (mutation of its bytes, reason, column)
    "extra_value": (lambda line: line.rstrip(b"\n") + b',"x"\n',
                    "the row has 9 values, the header 8 columns", None),
    "missing_values": (lambda line: b",".join(line.split(b",")[:5]) + b"\n",
                       "the row has 5 values, the header 8 columns", "product_id"),
    "stray_quote": (lambda line: line.replace(b'"channel_', b'"chan"nel_'),
                    "unterminated or stray quote", "channel"),
    "not_utf8": (lambda line: line.replace(b"channel_", b"chan\xffnel_"),
                 "not UTF-8", "channel"),
}


@pytest.mark.parametrize("defect", list(CSV_DEFECTS))
def test_csv_errors_name_the_reason_row_and_column(defect, env, zone, wh):
    mutate, reason, column = CSV_DEFECTS[defect]
    src = source("orders")
    lines = _csv_lines(src, 6)
    lines[3] = mutate(lines[3])
    key = src.file_key(BAD_DAY)
    with zone.open_writer(key) as fh:
        fh.write(gzip.compress(b"".join(lines)))
    report = ingest(src, *RUN, zone=zone, wh=wh, config=IngestConfig(on_error="continue"))
    [err] = report.errors
    assert (err.key, err.row, err.column) == (key, 3, column)
    assert reason in err.message and "line: " in err.message
    assert len(str(err)) < 400 and "Possible fixes" not in str(err)
