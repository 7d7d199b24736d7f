"""The Snowflake target: two consecutive daily builds against fakesnow (in-process patch)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from include.c360.catalog import pii_columns
from include.c360.pii import dbt_relations
from tests.dbt.conftest import DBT_VENV, REPO, require_dbt_venv

RUNNER = Path(__file__).with_name("fakesnow_runner.py")


def test_snowflake_target_builds_two_days_on_fakesnow(tmp_path: Path) -> None:
    require_dbt_venv()
    python = DBT_VENV / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import fakesnow"], capture_output=True)
    if probe.returncode != 0:
        pytest.fail("fakesnow is not installed in the dbt venv: pip install fakesnow==0.12.1")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [str(python), str(RUNNER), "--workdir", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    builds = [x for x in lines if "success" in x]
    assert proc.returncode == 0, (builds, proc.stdout[-3000:], proc.stderr[-3000:])
    assert [b["day"] for b in builds] == [1, 2] and all(b["success"] for b in builds)
    for b in builds:  # every model, snapshot, data test and unit test ran, none failed/skipped
        assert set(b["statuses"]) <= {"success", "pass"}, b
        assert b["statuses"]["pass"] >= 150
    summary = next(x["summary"] for x in lines if "summary" in x)
    assert summary["fct_transactions_duplicates"] == 0
    assert summary["snapshot_closed_versions"] == 3
    assert summary["marts.fct_customer_value"] == summary["features.feat_customer_segmentation"]
    # the PII columns (meta pii) of every relation dbt builds got the setup's masking policy
    masked = {(kind, rel, col, policy) for kind, rel, col, policy in summary["masked_columns"]}
    expected = {("view", "C360.staging.stg_customers", c, "C360.raw_meta.pii_string")
                for c in pii_columns("stg_customers")}
    expected |= {("table", f"C360.{r.schema}.{r.name}", c, "C360.raw_meta.pii_string")
                 for r in dbt_relations() for c in r.columns}
    assert masked == expected
    print(json.dumps(summary), file=sys.stderr)
