"""The generator cannot touch a production landing zone: it writes only to a local folder or a
landing zone marked synthetic, never overwrites an export, and its DAG is defined only on the
embedded target or when enabled."""

from __future__ import annotations

from datetime import date

import pytest

from include.c360.generator import GeneratorConfig, generate_day, generate_history
from include.c360.generator.export import ExportExists
from tests.generator.conftest import checksums

CFG = GeneratorConfig(seed=5, scale=0.001, as_of=date(2026, 3, 15), history_days=14,
                      horizon_days=5)


def test_an_s3_landing_zone_not_marked_synthetic_is_refused(monkeypatch):
    monkeypatch.delenv("C360_SYNTHETIC_LANDING", raising=False)
    with pytest.raises(PermissionError, match="C360_SYNTHETIC_LANDING=s3://prod-lake/landing"):
        generate_day(CFG, date(2026, 3, 16), "s3://prod-lake/landing", sources=["orders"])
    # marking another landing zone synthetic does not mark this one
    monkeypatch.setenv("C360_SYNTHETIC_LANDING", "s3://dev-lake/landing")
    with pytest.raises(PermissionError):
        generate_history(CFG, "s3://prod-lake/landing/", sources=["orders"])
    monkeypatch.setenv("C360_LANDING", "s3://prod-lake/landing")  # the default target too
    with pytest.raises(PermissionError):
        generate_day(CFG, date(2026, 3, 16), None, sources=["orders"])


def test_an_existing_export_is_never_overwritten(tmp_path):
    out = tmp_path / "landing"
    first = generate_day(CFG, date(2026, 3, 16), str(out), sources=["orders", "events"])
    before = checksums(out)
    stat = {k: (out / k).stat().st_mtime_ns for k in before}
    # the same world again: the same bytes are already there, nothing is written
    generate_day(CFG, date(2026, 3, 16), str(out), sources=["orders", "events"])
    assert checksums(out) == before
    assert {k: (out / k).stat().st_mtime_ns for k in before} == stat
    # a real export under the generator's key (another world here): refused, kept as it was
    key = first.by_source()["orders"].keys[0]
    (out / key).write_bytes(b"the source system's real export")
    other = GeneratorConfig(seed=6, scale=0.001, as_of=date(2026, 3, 15), history_days=14,
                            horizon_days=5)
    with pytest.raises(ExportExists, match=f"{key} already exists with other content"):
        generate_day(other, date(2026, 3, 16), str(out), sources=["orders"])
    assert (out / key).read_bytes() == b"the source system's real export"


def test_the_dag_is_defined_only_on_the_embedded_target_or_when_enabled(monkeypatch):
    from scripts.dag_bag import load_dags

    def dag_ids(**env: str) -> set[str]:
        for k in ("C360_TARGET", "C360_ENABLE_GENERATOR"):
            monkeypatch.delenv(k, raising=False)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        bag = load_dags("c360_generate_sources.py")
        assert not bag.import_errors, bag.import_errors
        return set(bag.dags)

    assert dag_ids() == {"c360_generate_sources"}  # the local default (DuckDB)
    assert dag_ids(C360_TARGET="snowflake") == set()  # a production deployment
    assert dag_ids(C360_TARGET="snowflake", C360_ENABLE_GENERATOR="true") == {
        "c360_generate_sources"}
    assert dag_ids(C360_TARGET="duckdb", C360_ENABLE_GENERATOR="false") == set()


def test_the_cli_says_why_it_refuses(tmp_path, capsys, monkeypatch):
    from include.c360.generator.__main__ import main

    monkeypatch.delenv("C360_SYNTHETIC_LANDING", raising=False)
    rc = main(["--scale", "0.001", "--seed", "5", "--as-of", "2026-03-15", "--history-days", "14",
               "--day", "2026-03-16", "--sources", "orders", "--no-progress",
               "--out", "s3://prod-lake/landing"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "refusing to write synthetic exports into s3://prod-lake/landing" in err
