"""Run the dbt project's Snowflake target against fakesnow, two consecutive days (tests only).

Runs in the dbt virtualenv (it needs dbt-snowflake and fakesnow==0.12.1):

    PYTHONPATH=. .venv-dbt/bin/python tests/dbt/fakesnow_runner.py --workdir /tmp/x

fakesnow's gaps are bridged by test-only macros in tests/dbt/fakesnow_shims/, passed to dbt
through a copy of the project whose macro-paths gets one more entry; the production project
and its macros are untouched. Prints one JSON line per dbt invocation and exits non-zero if any
invocation fails.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import sys
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
SHIMS = Path(__file__).with_name("fakesnow_shims")
DATABASE = "C360"


def _project_copy(workdir: Path) -> Path:
    """The dbt project with the fakesnow shims on its macro path (a copy, tests only)."""
    project = workdir / "dbt"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(REPO / "dbt", project, ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(SHIMS, project / "fakesnow_shims")
    text = (project / "dbt_project.yml").read_text()
    text = text.replace('macro-paths: ["macros"]', 'macro-paths: ["macros", "fakesnow_shims"]')
    (project / "dbt_project.yml").write_text(text)
    return project


MASKING_STATEMENT = re.compile(
    r"\s*alter (table|view) (\S+) modify column (\w+)\s+set masking policy (\S+) force",
    re.IGNORECASE)


def _masked_columns(log_file: Path) -> list[list[str]]:
    """[kind, relation, column, policy] of every masking statement dbt ran (its debug log)."""
    found = {m.groups() for m in MASKING_STATEMENT.finditer(log_file.read_text())}
    return sorted(list(x) for x in found)


def _load_raw(day: int) -> dict[str, int]:
    import snowflake.connector

    from tests.dbt.raw_fixture import load_rows

    con = snowflake.connector.connect(database=DATABASE, schema="RAW")
    try:
        return load_rows(con.cursor(), day, mark="%s")
    finally:
        con.close()


def _dbt(project: Path, workdir: Path, args: list[str]) -> dict:
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        args
        + [
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target",
            "snowflake",
            "--threads",
            "1",
            "--target-path",
            str(workdir / "target"),
            "--log-path",
            str(workdir / "logs"),
        ]
    )
    from tests.dbt.results import is_listed_exposure

    statuses: dict[str, int] = {}
    failures = []
    for r in (result.result or []) if hasattr(result.result, "__iter__") else []:
        status = str(getattr(r, "status", ""))
        if is_listed_exposure(r.node.unique_id, status):
            continue
        statuses[status] = statuses.get(status, 0) + 1
        if status in ("error", "fail", "runtime error"):
            failures.append(f"{r.node.unique_id}: {r.message}")
    return {
        "args": args,
        "success": bool(result.success),
        "statuses": statuses,
        "failures": failures,
        "exception": repr(result.exception) if result.exception else None,
    }


def main(argv: list[str] | None = None) -> int:
    """The two-day build on fakesnow, step by step (one process: fakesnow patches it), then a
    JSON summary on stdout for the pytest side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--select", default=None, help="optional dbt --select for both days")
    opts = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)

    import fakesnow

    workdir = opts.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    project = _project_copy(workdir)
    os.environ.update(
        {
            "C360_DBT_TARGET": "snowflake",
            "SNOWFLAKE_ACCOUNT": "fake",
            "SNOWFLAKE_USER": "fake",
            "SNOWFLAKE_PASSWORD": "fake",
            "SNOWFLAKE_ROLE": "fake",
            "SNOWFLAKE_WAREHOUSE": "fake",
            "SNOWFLAKE_DATABASE": DATABASE,
            "SNOWFLAKE_SCHEMA": "PUBLIC",
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    ok = True
    (workdir / "fakesnow").mkdir(exist_ok=True)
    # fakesnow has no masking policies: the post-hook's statements run as no-ops and are read
    # back from dbt's log (summary "masked_columns")
    with fakesnow.patch(nop_regexes=[MASKING_STATEMENT.pattern]):
        for day, as_of in ((1, date(2026, 11, 24)), (2, date(2026, 11, 25))):
            counts = _load_raw(day)
            print(json.dumps({"day": day, "raw_rows": counts}), flush=True)
            args = ["build", "--vars", json.dumps({"as_of_date": as_of.isoformat()})]
            if opts.select:
                args += ["--select", opts.select]
            outcome = _dbt(project, workdir, args)
            print(json.dumps({"day": day, **outcome}), flush=True)
            ok = ok and outcome["success"]
            if not ok:
                break
        if ok:
            import snowflake.connector

            con = snowflake.connector.connect(database=DATABASE)
            cur = con.cursor()
            summary = {}
            for rel in (
                "marts.fct_transactions",
                "marts.fct_customer_value",
                "snapshots.snap_customer_profile",
                "features.feat_customer_segmentation",
                "features.feat_fraud_behavior",
            ):
                cur.execute(f"select count(*) from {rel}")
                summary[rel] = cur.fetchone()[0]
            cur.execute(
                "select count(*) - count(distinct transaction_id) from marts.fct_transactions"
            )
            summary["fct_transactions_duplicates"] = cur.fetchone()[0]
            cur.execute(
                "select count(*) from snapshots.snap_customer_profile "
                "where dbt_valid_to is not null"
            )
            summary["snapshot_closed_versions"] = cur.fetchone()[0]
            summary["masked_columns"] = _masked_columns(workdir / "logs" / "dbt.log")
            print(json.dumps({"summary": summary}), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
