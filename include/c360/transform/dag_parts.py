"""The transform DAG, assembled from the dbt manifest: freshness gates, one Cosmos task group
per layer, the snapshot, ML scoring and the publication of ``fct_customer_value``.

    freshness (one check per source with an SLA)
      -> staging -> intermediate -> marts -> features -> ml_scoring -> publish
      -> snapshot (after stg_customers)

Layers are Cosmos ``DbtTaskGroup``s rendered from ``dbt/target/manifest.json``
(``LoadMode.DBT_MANIFEST``: parsing the DAG never runs dbt). Execution modes
(``C360_COSMOS_EXECUTION_MODE``):

* ``local`` (default): one ``dbt build --select <node>`` per model/snapshot (the node and its
  tests, ``TestBehavior.BUILD``), dbt from its own virtualenv as a subprocess. Groups are wired
  **per dbt lineage** (a node waits for its parents in other groups, a staging model for its
  source's freshness check), so a failed test or a stale source stops exactly what is built
  from it. On DuckDB every task that opens the warehouse file takes the one-slot pool
  ``duckdb_warehouse``; on Snowflake nodes run in parallel.
* ``watcher``: Cosmos ``ExecutionMode.WATCHER`` - one ``dbt build`` per layer (a producer
  task) watched by one sensor per node; groups are chained layer by layer. Needs a running
  scheduler and triggerer (it deadlocks under ``airflow dags test``).

The intermediate layer is ephemeral: Cosmos renders its models as EmptyOperators (no dbt call)
so analysts still see the lineage. ``fct_customer_value`` is built by ``publish`` after scoring
(the cycle features -> ML -> customer value is broken there; see dbt/README.md).
"""

from __future__ import annotations

import functools
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, Param, TaskGroup, task

from include.c360.config import settings
from include.c360.ingest.assets import raw_assets
from include.c360.ingest.config import DUCKDB_POOL
from include.c360.sources import SOURCES
from include.c360.transform.freshness import (
    FreshnessSpec,
    check_source_freshness,
    specs_from_manifest,
)
from include.c360.transform.manifest import require_manifest

log = logging.getLogger(__name__)

DAG_ID = "c360_transform"
DBT_PROJECT_NAME = "customer360"
# After the daily 02:00 sources (customers, orders, campaigns, support_tickets) have loaded.
FALLBACK_CRON = "30 2 * * *"
DAILY_SOURCE_CRON = "0 2 * * *"
# The date every model, test and score of the run is "as of": Param as_of_date, else the run's
# logical date (scheduled runs, backfills), else when it was due (asset-triggered runs).
AS_OF = "{{ params.as_of_date or ((dag_run.logical_date or dag_run.run_after) | ds) }}"
FULL_REFRESH = "{{ params.full_refresh }}"
ASSET_URI_PREFIX = "x-c360://warehouse"
EXECUTION_MODES = ("local", "watcher")
WATCHER_POKE_SECONDS = 2


@dataclass(frozen=True)
class Layer:
    group_id: str
    select: tuple[str, ...]
    tooltip: str
    exclude: tuple[str, ...] = ()
    emits_assets: bool = False
    # watcher: the producer's `dbt build` selects tests eagerly (any parent selected); tests
    # defined on later layers' models must wait for their layer's build
    later: tuple[str, ...] = ()


LAYERS: tuple[Layer, ...] = (
    Layer("staging", ("path:models/staging",), "Views: clean, dedupe, standardise (dbt)",
          later=("path:models/intermediate", "path:models/marts", "path:models/features")),
    Layer("intermediate", ("path:models/intermediate",),
          "Ephemeral per-customer aggregations and fraud signals (compiled into the marts)"),
    Layer("marts", ("path:models/marts",), "Tables for BI (fct_customer_value: see publish)",
          exclude=("fct_customer_value",), emits_assets=True,
          later=("fct_customer_value+", "path:models/features")),
    Layer("features", ("path:models/features",), "ML feature tables", emits_assets=True),
    Layer("snapshot", ("path:snapshots",), "SCD2 history of the customer profile",
          emits_assets=True),
    Layer("publish", ("fct_customer_value",),
          "fct_customer_value with the ML scores (built after ml_scoring)", emits_assets=True),
)


@dataclass(frozen=True)
class TransformConfig:
    """Knobs read from the environment at parse time (defaults = production behaviour)."""

    target: str
    execution_mode: str = "local"
    retries: int = 2
    retry_delay: timedelta = timedelta(minutes=2)
    dbt_executable: Path = field(default_factory=lambda: settings().dbt_executable)

    @classmethod
    def from_env(cls) -> TransformConfig:
        mode = os.environ.get("C360_COSMOS_EXECUTION_MODE", "local").lower()
        if mode not in EXECUTION_MODES:
            raise ValueError(f"C360_COSMOS_EXECUTION_MODE must be one of {EXECUTION_MODES}, "
                             f"not {mode!r}")
        return cls(
            target=settings().target,
            execution_mode=mode,
            retries=int(os.environ.get("C360_TRANSFORM_RETRIES", 2)),
            retry_delay=timedelta(
                seconds=float(os.environ.get("C360_TRANSFORM_RETRY_DELAY_SECONDS", 120))),
        )

    @property
    def pool_args(self) -> dict[str, Any]:
        """DuckDB has one writer: every task opening the file takes the one-slot pool."""
        return {"pool": DUCKDB_POOL} if self.target == "duckdb" else {}

    @property
    def default_args(self) -> dict[str, Any]:
        return {"owner": "data-platform", "retries": self.retries,
                "retry_delay": self.retry_delay, "retry_exponential_backoff": True}


def daily_source_assets() -> list[Asset]:
    """RAW Assets of the daily 02:00 sources: all of them updated -> a transform run.

    The 15-minute (transactions) and hourly (events) loads do not trigger it; the run reads
    whatever they loaded so far. Weekly products does not either (the cron fallback covers it).
    """
    assets = raw_assets()
    return [assets[s.name] for s in SOURCES if s.cron == DAILY_SOURCE_CRON]


def schedule() -> Any:
    from airflow.sdk import AssetAll, AssetOrTimeSchedule, CronTriggerTimetable

    return AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(FALLBACK_CRON, timezone="UTC"),
        assets=AssetAll(*daily_source_assets()),
    )


def params() -> dict[str, Param]:
    return {
        "as_of_date": Param(
            None, type=["null", "string"], format="date",
            description="Reference date of the run (YYYY-MM-DD) for dbt (var as_of_date) and "
                        "ML scoring; empty = the run's logical date.",
        ),
        "full_refresh": Param(
            False, type="boolean",
            description="Rebuild incremental models (fct_transactions) from scratch.",
        ),
        "enforce_freshness": Param(
            True, type="boolean",
            description="An error-level freshness breach stops that source's lineage; false = "
                        "report it only (e.g. rebuilding history from stale sources).",
        ),
    }


@functools.lru_cache(maxsize=4)
def _load_manifest(path: str, mtime: float) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_manifest() -> dict[str, Any]:
    path = require_manifest()
    return _load_manifest(str(path), path.stat().st_mtime)


def model_asset(node: dict[str, Any]) -> Asset:
    """A target-independent Asset for a built relation: ``x-c360://warehouse/<schema>/<name>``."""
    schema = (node.get("config") or {}).get("schema") or node["schema"]
    name = node.get("alias") or node["name"]
    return Asset(
        name=f"c360.{schema}.{name}", uri=f"{ASSET_URI_PREFIX}/{schema}/{name}",
        group=f"c360_{schema}",
        extra={"dbt_unique_id": node["unique_id"], "materialized":
               (node.get("config") or {}).get("materialized")},
    )


def _cosmos_configs(cfg: TransformConfig, manifest_path: Path, mode: str) -> dict[str, Any]:
    from cosmos import (
        ExecutionConfig,
        ExecutionMode,
        InvocationMode,
        ProjectConfig,
        TestIndirectSelection,
    )

    from include.c360.transform.profiles import profile_config

    s = settings()
    execution_mode = ExecutionMode.WATCHER if mode == "watcher" else ExecutionMode.LOCAL
    return {
        "project_config": ProjectConfig(
            dbt_project_path=s.dbt_project_dir, manifest_path=manifest_path,
            project_name=DBT_PROJECT_NAME, install_dbt_deps=False, partial_parse=True,
        ),
        "profile_config": profile_config(cfg.target),
        "execution_config": ExecutionConfig(
            execution_mode=execution_mode, invocation_mode=InvocationMode.SUBPROCESS,
            dbt_executable_path=str(cfg.dbt_executable),
            # local: a node's task runs only its own tests; a test with two parents runs with
            # the model it is defined on, after the other parent (_attach_multi_parent_tests)
            test_indirect_selection=(TestIndirectSelection.CAUTIOUS if mode == "local"
                                     else TestIndirectSelection.EAGER),
        ),
    }


def dbt_layer(layer: Layer, cfg: TransformConfig, manifest_path: Path) -> Any:
    """One Cosmos DbtTaskGroup for a layer (call inside the DAG context)."""
    from cosmos import DbtTaskGroup, LoadMode, RenderConfig, TestBehavior

    # ephemeral-only layers need no dbt call at all: render them with LOCAL (EmptyOperators)
    mode = "local" if layer.group_id == "intermediate" else cfg.execution_mode
    operator_args: dict[str, Any] = {
        "vars": {"as_of_date": AS_OF},
        "full_refresh": FULL_REFRESH,
        "install_deps": False,
        "append_env": True,
        "env": {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    }
    configs = _cosmos_configs(cfg, manifest_path, mode)
    if mode == "watcher":
        # only the producer opens the warehouse; the sensors just read its XComs
        configs["execution_config"].setup_operator_args = dict(cfg.pool_args)
    else:
        operator_args.update(cfg.pool_args)
    return DbtTaskGroup(
        group_id=layer.group_id,
        tooltip=layer.tooltip,
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            select=list(layer.select),
            exclude=list(layer.exclude) + (list(layer.later) if mode == "watcher" else []),
            # local: one `dbt build` per node (model + its tests); watcher: the producer's one
            # `dbt build` runs the tests, a sensor per node reports them (BUILD unsupported)
            test_behavior=TestBehavior.AFTER_EACH if mode == "watcher" else TestBehavior.BUILD,
            emit_datasets=False,  # target-independent Assets are attached below instead
        ),
        operator_args=operator_args,
        **configs,
    )


def _tasks_of(task_or_group: Any) -> list[Any]:
    if isinstance(task_or_group, TaskGroup):
        return list(task_or_group.children.values())
    return [task_or_group]


def _attach_assets(group: Any, manifest: dict[str, Any]) -> None:
    """Outlets on the tasks that build tables: ``x-c360://warehouse/<schema>/<model>``."""
    for node_id, task_or_group in group.tasks_map.items():
        node = manifest["nodes"].get(node_id)
        if not node or node["resource_type"] not in {"model", "snapshot"}:
            continue
        if (node.get("config") or {}).get("materialized") == "ephemeral":
            continue
        for t in _tasks_of(task_or_group):
            if "Test" not in type(t).__name__:  # the task that builds it, not its tests
                t.outlets = [*list(t.outlets or []), model_asset(node)]


def _share_partial_parse_cache(groups: list[Any]) -> None:
    """One Cosmos cache dir for every dbt task of the DAG (Cosmos keeps one per task group).

    dbt re-parses the whole project when ``--vars`` change (as_of_date changes every day): with
    one cache only the run's first dbt task pays that full parse, the others reuse its
    ``partial_parse.msgpack`` (Cosmos copies it atomically).
    """
    tasks = [t for g in groups for tg in g.tasks_map.values() for t in _tasks_of(tg)
             if getattr(t, "cache_dir", None) is not None]
    if tasks:
        shared = tasks[0].cache_dir
        for t in tasks:
            t.cache_dir = shared


def _wire_lineage(groups: list[Any]) -> None:
    """A node waits for its parents that other groups render (dbt's own dependencies)."""
    owner: dict[str, Any] = {}
    for g in groups:
        owner.update(g.tasks_map)
    for g in groups:
        for node_id, node in g.dbt_graph.filtered_nodes.items():
            child = g.tasks_map.get(node_id)
            if child is None:
                continue
            for parent_id in node.depends_on:
                parent = owner.get(parent_id)
                if parent is not None and parent_id not in g.tasks_map:
                    parent >> child


def _attach_multi_parent_tests(groups: list[Any], manifest: dict[str, Any]) -> None:
    """Run each test with several parents (relationships) exactly once: in the build task of
    the model it is defined on, which then also waits for the other parents' tasks.

    So a failing relationships test fails that model's task and gates what is built from it.
    """
    owner: dict[str, Any] = {}
    for g in groups:
        owner.update(g.tasks_map)
    for node in manifest["nodes"].values():
        parents = node.get("depends_on", {}).get("nodes", [])
        if node["resource_type"] != "test" or len(parents) < 2:
            continue
        attached = node.get("attached_node")
        model_task = owner.get(attached)
        if model_task is None or isinstance(model_task, TaskGroup):
            continue
        selected = str(model_task.select or "").split()
        model_task.select = " ".join([*selected, node["name"]])
        for parent_id in parents:
            parent = owner.get(parent_id)
            if parent is not None and parent_id != attached:
                parent >> model_task


def freshness_checks(specs: list[FreshnessSpec], cfg: TransformConfig) -> dict[str, Any]:
    """One check task per source with an SLA, in a ``freshness`` group: {source unique_id: task}."""
    tasks: dict[str, Any] = {}
    with TaskGroup(group_id="freshness", tooltip="Source freshness vs the sources' SLAs"):
        for spec in specs:
            t = task(
                task_id=spec.task_id, **cfg.pool_args,
                doc_md=f"max({spec.loaded_at_field}) of `{spec.relation}`: warn after "
                       f"{spec.warn_after_hours} h, error after {spec.error_after_hours} h.",
            )(check_source_freshness)(spec=asdict(spec),
                                      enforce="{{ params.enforce_freshness }}")
            tasks[f"source.{DBT_PROJECT_NAME}.{spec.source}.{spec.table}"] = t
    return tasks


def build_transform(cfg: TransformConfig | None = None) -> dict[str, Any]:
    """Create every task of the transform DAG inside the current DAG context."""
    from include.c360.ml.taskgroup import ml_scoring_task_group

    cfg = cfg or TransformConfig.from_env()
    manifest_path = require_manifest()
    manifest = load_manifest()

    checks = freshness_checks(specs_from_manifest(manifest), cfg)
    groups = {layer.group_id: dbt_layer(layer, cfg, manifest_path) for layer in LAYERS}
    for layer in LAYERS:
        if layer.emits_assets:
            _attach_assets(groups[layer.group_id], manifest)
    ml = ml_scoring_task_group(
        group_id="ml_scoring", as_of=AS_OF, sequential=cfg.target == "duckdb",
        pool=cfg.pool_args.get("pool"), retries=cfg.retries,
    )

    _share_partial_parse_cache(list(groups.values()))
    staging, intermediate, marts, features, snapshot, publish = (
        groups[layer.group_id] for layer in LAYERS)
    if cfg.execution_mode == "local":
        _wire_lineage(list(groups.values()))
        _attach_multi_parent_tests(list(groups.values()), manifest)
        # freshness gates the staging model(s) of its source only
        for node_id, node in staging.dbt_graph.filtered_nodes.items():
            for parent_id in node.depends_on:
                if parent_id in checks and node_id in staging.tasks_map:
                    checks[parent_id] >> staging.tasks_map[node_id]
    else:
        # watcher: sensors poll the producer's XComs every 2 s (Cosmos: 10 s, i.e. up to 10 s
        # lost at every layer boundary)
        for g in groups.values():
            for tg in g.tasks_map.values():
                for t in _tasks_of(tg):
                    if hasattr(t, "producer_task_id") and hasattr(t, "poke_interval"):
                        t.poke_interval = WATCHER_POKE_SECONDS
        # one dbt build per group; groups run layer after layer
        list(checks.values()) >> staging
        staging >> intermediate >> marts >> features
        staging >> snapshot
        marts >> publish
    # scoring reads the feature tables and (point in time) the staging views
    [staging, features] >> ml
    ml >> publish
    return {"freshness": checks, **groups, "ml_scoring": ml}
