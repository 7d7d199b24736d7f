"""The transform DAG, assembled from the dbt manifest: freshness gates, the dbt layers as
Cosmos task groups, ML scoring, and the publication of ``fct_customer_value``.

Layers are rendered by Cosmos from ``dbt/target/render_manifest.json`` (``manifest.py``).
The execution mode (``C360_COSMOS_EXECUTION_MODE``, ``config.py``) decides how the layers
before scoring become tasks, in one place (``MODES``):

* ``watcher`` (default, ``watcher_mode.py``): ONE ``dbt build`` of every layer, watched by a
  sensor per model, per model's tests and per source, in one task group per dbt folder; the
  producer checks every source's freshness first. Needs a running scheduler and triggerer.
* ``local`` (``local_mode.py``): one ``dbt build --select <node>`` per model/snapshot, one task
  group per layer and one freshness task per source, wired per dbt lineage; what
  ``dag.test()`` can run.

Whatever the mode: on DuckDB every task that opens the warehouse file takes the one-slot pool
``duckdb_warehouse`` (single writer); on Snowflake nothing is serialised. The intermediate
layer is ephemeral: Cosmos renders its models as EmptyOperators (no dbt call) so analysts still
see the lineage. ``publish`` builds ``fct_customer_value`` after scoring (the cycle features ->
ML -> customer value is broken there; see dbt/README.md) and ``fct_retention_alerts``, whose new
rows ``retention_digest`` e-mails. ``wiring.py`` joins the groups (dbt's dependencies,
relationships tests, Assets, one parse cache).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from airflow.sdk import task

from include.c360.transform.config import AS_OF, TransformConfig
from include.c360.transform.dbt_groups import dbt_layer
from include.c360.transform.freshness import specs_from_manifest
from include.c360.transform.layers import PUBLISH
from include.c360.transform.local_mode import build_local
from include.c360.transform.manifest import load_manifest, require_manifest
from include.c360.transform.watcher_mode import build_watcher
from include.c360.transform.wiring import (
    attach_assets,
    attach_multi_parent_tests,
    gate_on_freshness,
    share_partial_parse_cache,
    wire_lineage,
)

DAG_ID = "c360_transform"
ML_GROUP = "ml_scoring"
DIGEST_TASK = "retention_digest"
# how each execution mode renders the dbt layers before scoring (a DbtBuild)
MODES = {"watcher": build_watcher, "local": build_local}


def build_transform(cfg: TransformConfig | None = None) -> dict[str, Any]:
    """Create every task of the transform DAG inside the current DAG context."""
    from include.c360.ml.taskgroup import ml_scoring_task_group
    from include.c360.report.taskgroup import GROUP_ID as CONSUMERS
    from include.c360.report.taskgroup import consumers_task_group

    cfg = cfg or TransformConfig.from_env()
    manifest_path = require_manifest()
    manifest = load_manifest()
    # an enforced freshness error also holds back what waits for the feature tables, which
    # are built from every source: scoring, publication, the digest, the consumers
    specs = [replace(s, held_back=(*s.held_back, ML_GROUP, PUBLISH.group_id, DIGEST_TASK,
                                   CONSUMERS))
             for s in specs_from_manifest(manifest)]

    dbt = MODES[cfg.execution_mode](cfg, manifest_path, manifest, specs)
    publish = dbt_layer(PUBLISH, cfg, manifest_path)
    attach_assets(publish, manifest)
    ml = ml_scoring_task_group(
        group_id=ML_GROUP, as_of=AS_OF, sequential=cfg.target == "duckdb",
        pool=cfg.pool_args.get("pool"), retries=cfg.retries,
    )

    groups = [*dbt.groups.values(), publish]
    share_partial_parse_cache(groups)
    wire_lineage(groups)
    attach_multi_parent_tests(groups, manifest)
    gate_on_freshness(groups, dbt.checks)
    dbt.feeds_ml >> ml
    ml >> publish
    digest = retention_digest_task(cfg)
    publish >> digest
    # the scorecard and the compliance export read what publish built
    consumers = consumers_task_group(as_of=AS_OF, pool=cfg.pool_args.get("pool"),
                                     retries=cfg.retries)
    publish >> consumers
    return {"freshness": dbt.checks, **dbt.groups, PUBLISH.group_id: publish, ML_GROUP: ml,
            DIGEST_TASK: digest, CONSUMERS: consumers}


def retention_digest_task(cfg: TransformConfig) -> Any:
    """E-mails the retention team the customers this run's scoring newly put at churn risk."""
    from include.c360.alerts.retention import retention_digest

    return task(task_id=DIGEST_TASK, **cfg.pool_args,
                doc_md="E-mail: the rows of alerts.fct_retention_alerts this run added.")(
        retention_digest)(as_of=AS_OF)
