"""
### Customer 360 — synthetic source systems (manual)

Writes the seven source systems' exports — CRM customers, OMS orders, payments ledger,
clickstream events, product catalog, marketing campaign sends, helpdesk tickets — into the
landing zone (`C360_LANDING`: a local folder by default, or `s3://...` through `aws_default`),
laid out as production lands them. It is what the offline demo runs on.

* `mode = history`: the initial backfill, `history_days` up to `as_of` (empty = yesterday).
* `mode = day`: one increment for `day` (after `as_of`, same `seed`/`scale`/`as_of` as the
  history), with new customers, status changes, late arrivals and hourly micro-batches.

`scale = 1.0` is the spec's volumes (~15M rows). The same seed gives the same bytes, so re-runs
rewrite identical files and ingestion loads nothing twice. Ground truth for model evaluation
goes to `data/ground_truth/`, which the pipeline never reads.

Not part of a production deployment: defined only on the embedded DuckDB target or when
`C360_ENABLE_GENERATOR=true`; it writes only to a local folder or a landing zone listed in
`C360_SYNTHETIC_LANDING`, and never overwrites an export.
Details: `include/c360/generator/README.md`.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task

from include.c360.config import generator_enabled
from include.c360.dag_defaults import DEFAULT_ARGS, START_DATE

PARAMS = {
    "mode": Param("history", enum=["history", "day"], description="backfill or one increment"),
    "scale": Param(1.0, type="number", exclusiveMinimum=0, maximum=10,
                   description="1.0 = the spec's volumes (270K customers, 15M rows in all)"),
    "seed": Param(42, type="integer", description="same seed, same bytes"),
    "as_of": Param("", type="string", description="last day of the history, YYYY-MM-DD "
                   "(empty: yesterday, UTC)"),
    "history_days": Param(730, type="integer", minimum=14),
    "day": Param("", type="string", description="mode=day: the day to write, YYYY-MM-DD"),
}


@dag(
    dag_id="c360_generate_sources",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["c360", "sources", "demo"],
    default_args=DEFAULT_ARGS,
    params=PARAMS,
)
def c360_generate_sources():
    @task(multiple_outputs=False)
    def generate(params: dict | None = None) -> dict:
        from include.c360.generator.runner import run_from_params

        return run_from_params(params or {})

    generate()


if generator_enabled():
    c360_generate_sources()
