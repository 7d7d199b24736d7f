"""The `c360_generate_sources` DAG writes the seven sources' exports through a real dag.test()."""

from __future__ import annotations

import pytest

from include.c360.sources import SOURCES

pytestmark = pytest.mark.timeout(300)


def test_history_then_one_day_land_every_source(run_dags, tmp_path):
    data = tmp_path / "data"
    conf = {"scale": 0.001, "seed": 3, "as_of": "2026-11-24", "history_days": 14}
    runs = run_dags(
        data,
        ("c360_generate_sources", {"logical_date": "2026-11-25T00:00:00+00:00", "conf": conf}),
        ("c360_generate_sources", {"logical_date": "2026-11-25T01:00:00+00:00",
                                   "conf": {**conf, "mode": "day", "day": "2026-11-25"}}),
    )
    assert [r["state"] for r in runs] == ["success", "success"], runs
    landing = data / "landing"
    for src in SOURCES:
        files = sorted((landing / src.name).rglob(f"*{src.file_extension}"))
        assert files, f"no {src.name} files landed"
        history = [f for f in files if "dt=2026-11-25" not in f.as_posix()]
        assert history, f"no {src.name} history files"
    # the increment: hourly micro-batches for the Snowpipe sources, one daily file for batch ones
    assert len(list((landing / "events" / "dt=2026-11-25").rglob("*.ndjson.gz"))) == 24
    assert len(list((landing / "orders" / "dt=2026-11-25").glob("*.csv.gz"))) == 1
    # ground truth for evaluation only: beside, never inside, the landing zone
    assert list((data / "ground_truth").glob("*.parquet"))
    assert not list(landing.rglob("*ground_truth*"))


def test_day_mode_needs_a_day(run_dags, tmp_path):
    runs = run_dags(
        tmp_path / "data",
        ("c360_generate_sources", {"logical_date": "2026-11-26T00:00:00+00:00",
                                   "conf": {"scale": 0.001, "mode": "day", "day": ""}}),
    )
    assert runs[0]["state"] == "failed"
    assert runs[0]["tasks"] == {"generate": "failed"}
