"""The transform DAG, assembled from the dbt manifest: freshness gates, the dbt layers as
Cosmos task groups, the snapshot, ML scoring and the publication of ``fct_customer_value``.

Layers are rendered by Cosmos from ``dbt/target/manifest.json`` (``LoadMode.DBT_MANIFEST``:
parsing the DAG never runs dbt). Two execution modes (``C360_COSMOS_EXECUTION_MODE``):

* ``watcher`` (default): Cosmos ``ExecutionMode.WATCHER``. ONE ``dbt build`` (the producer
  task ``dbt.dbt_producer_watcher``) builds every layer but the publication, as fast as a plain
  ``dbt build``; a sensor per model, per model's tests and per source reports its progress, in
  one task group per dbt folder (``dbt.models.staging``, ``dbt.models.intermediate``,
  ``dbt.models.marts``, ``dbt.models.features``, ``dbt.snapshots``, with the source systems'
  sub-folders). Before building, the producer checks every source's freshness: an error-level
  breach fails that source's task and excludes ``source:<name>+`` from the build (its lineage),
  a failing test fails its sensor and dbt skips what is built from the model. The sensors start
  in the triggerer (``watcher.py``): a running scheduler and triggerer are needed, ``airflow
  dags test`` cannot run it.
* ``local``: one ``dbt build --select <node>`` per model/snapshot (the node and its tests,
  ``TestBehavior.BUILD``), one task group per layer (``staging``, ``intermediate``, ``marts``,
  ``features``, ``snapshot``) and one freshness task per source, wired **per dbt lineage**.
  Every dbt call pays dbt's start-up (~2x a plain build at scale 1.0 on DuckDB, where the tasks
  queue on the one-slot pool); it runs under ``dag.test()`` and retries node by node.

On DuckDB every task that opens the warehouse file takes the one-slot pool
``duckdb_warehouse`` (single writer); on Snowflake nothing is serialised. The intermediate
layer is ephemeral: Cosmos renders its models as EmptyOperators (no dbt call) so analysts still
see the lineage. ``publish`` builds ``fct_customer_value`` after scoring (the cycle features ->
ML -> customer value is broken there; see dbt/README.md) and ``fct_retention_alerts``, whose new
rows ``retention_digest`` e-mails.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, Param, TaskGroup, task

from include.c360.config import settings
from include.c360.dag_defaults import DEFAULT_ARGS, retry_delay
from include.c360.ingest.assets import raw_assets
from include.c360.ingest.config import DUCKDB_POOL
from include.c360.sources import SOURCES
from include.c360.transform.freshness import (
    FreshnessSpec,
    assess_source_freshness,
    check_source_freshness,
    is_enforced,
    specs_from_manifest,
    stops_lineage,
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
EXECUTION_MODES = ("watcher", "local")
WATCHER_POKE_SECONDS = 5


# the models built from the score tables, after ML scoring (the publish step): the Customer
# 360, the retention alerts and the Customer 360 by day of the semantic layer
AFTER_SCORING = ("fct_customer_value", "fct_retention_alerts", "fct_customer_daily")
# the semantic layer's time spine (no parents) builds with the marts
TIME_SPINE = "path:models/semantic/metricflow_time_spine.sql"
ML_GROUP = "ml_scoring"
DIGEST_TASK = "retention_digest"


@dataclass(frozen=True)
class Layer:
    group_id: str
    select: tuple[str, ...]
    tooltip: str
    exclude: tuple[str, ...] = ()
    emits_assets: bool = False


LAYERS: tuple[Layer, ...] = (
    Layer("staging", ("path:models/staging",), "Views: clean, dedupe, standardise (dbt)"),
    Layer("intermediate", ("path:models/intermediate",),
          "Ephemeral per-customer aggregations and fraud signals (compiled into the marts)"),
    Layer("marts", ("path:models/marts", TIME_SPINE),
          "Tables for BI (fct_customer_value: see publish)",
          exclude=AFTER_SCORING, emits_assets=True),
    Layer("features", ("path:models/features",), "ML feature tables", emits_assets=True),
    Layer("snapshot", ("path:snapshots",), "SCD2 history of the customer profile",
          emits_assets=True),
    Layer("publish", AFTER_SCORING,
          "fct_customer_value with the ML scores, the retention alerts and the Customer 360 by "
          "day (after ml_scoring)",
          emits_assets=True),
)
LOCAL_LAYERS, PUBLISH = LAYERS[:-1], LAYERS[-1]
# watcher: one dbt build of every layer but the publication (and the tests of
# fct_customer_value, e.g. its relationships to dim_customers: they run with it in publish)
WATCHER_BUILD = Layer("dbt", ("path:models", "path:snapshots"),
                      "One dbt build of every layer; a task group per dbt folder",
                      exclude=tuple(f"{m}+" for m in AFTER_SCORING), emits_assets=True)


@dataclass(frozen=True)
class TransformConfig:
    """Knobs read from the environment at parse time (defaults = production behaviour)."""

    target: str
    execution_mode: str = EXECUTION_MODES[0]
    retries: int = 2
    retry_delay: timedelta = timedelta(minutes=2)
    dbt_executable: Path = field(default_factory=lambda: settings().dbt_executable)

    @classmethod
    def from_env(cls) -> TransformConfig:
        mode = os.environ.get("C360_COSMOS_EXECUTION_MODE", EXECUTION_MODES[0]).lower()
        if mode not in EXECUTION_MODES:
            raise ValueError(f"C360_COSMOS_EXECUTION_MODE must be one of {EXECUTION_MODES}, "
                             f"not {mode!r}")
        return cls(
            target=settings().target,
            execution_mode=mode,
            retries=int(os.environ.get("C360_TRANSFORM_RETRIES", 2)),
            retry_delay=timedelta(seconds=float(os.environ.get(
                "C360_TRANSFORM_RETRY_DELAY_SECONDS", retry_delay().total_seconds()))),
        )

    @property
    def pool_args(self) -> dict[str, Any]:
        """DuckDB has one writer: every task opening the file takes the one-slot pool."""
        return {"pool": DUCKDB_POOL} if self.target == "duckdb" else {}

    @property
    def default_args(self) -> dict[str, Any]:
        return {**DEFAULT_ARGS, "retries": self.retries, "retry_delay": self.retry_delay}


def daily_source_assets() -> list[Asset]:
    """RAW Assets of the daily 02:00 sources: all of them updated -> a transform run.

    The 15-minute (transactions) and hourly (events) loads do not trigger it; the run reads
    whatever they loaded so far. Weekly products does not either (the cron fallback covers it).
    """
    assets = raw_assets()
    return [assets[s.name] for s in SOURCES if s.cron == DAILY_SOURCE_CRON]


def deadline() -> Any:
    """The run must have published the Customer 360 by ``c360_transform_deadline_utc``."""
    from include.c360.alerts.deadlines import transform_deadline
    from include.c360.sources import source

    return transform_deadline([source(a.extra["source"]) for a in daily_source_assets()])


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
    project_config = ProjectConfig(
        dbt_project_path=s.dbt_project_dir, manifest_path=manifest_path,
        project_name=DBT_PROJECT_NAME, install_dbt_deps=False, partial_parse=True,
    )
    # Cosmos wraps the manifest in an ObjectStoragePath, whose first open loads every Airflow
    # plugin (Cosmos' own imports FastAPI): ~0.5 s of CPU in every fresh process that parses
    # this DAG (each task, each DAG-processor parse). The manifest is a local file.
    project_config.manifest_path = Path(manifest_path)
    return {
        "project_config": project_config,
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


def _operator_args(cfg: TransformConfig) -> dict[str, Any]:
    return {
        "vars": {"as_of_date": AS_OF},
        "full_refresh": FULL_REFRESH,
        "install_deps": False,
        "append_env": True,
        "env": {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    }


def dbt_layer(layer: Layer, cfg: TransformConfig, manifest_path: Path) -> Any:
    """``local`` mode: one Cosmos DbtTaskGroup for a layer, one ``dbt build`` per node (the
    node and its tests, ``TestBehavior.BUILD``). Call inside the DAG context."""
    from cosmos import DbtTaskGroup, LoadMode, RenderConfig, TestBehavior

    return DbtTaskGroup(
        group_id=layer.group_id,
        tooltip=layer.tooltip,
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST, select=list(layer.select),
            exclude=list(layer.exclude), test_behavior=TestBehavior.BUILD,
            emit_datasets=False,  # target-independent Assets are attached below instead
        ),
        operator_args={**_operator_args(cfg), **cfg.pool_args},
        **_cosmos_configs(cfg, manifest_path, "local"),
    )


@contextlib.contextmanager
def _folder_task_groups() -> Any:
    """Cosmos keys folder task groups by the bare folder name unless its hierarchical naming is
    on: ``intermediate/customers`` and ``marts/customers`` would collapse into one group."""
    from cosmos import settings as cosmos_settings

    before = cosmos_settings.enable_hierarchical_naming_for_group_nodes_by_folder
    cosmos_settings.enable_hierarchical_naming_for_group_nodes_by_folder = True
    try:
        yield
    finally:
        cosmos_settings.enable_hierarchical_naming_for_group_nodes_by_folder = before


def freshness_gate(context: Any, specs: tuple[FreshnessSpec, ...]) -> None:
    """``watcher`` mode: the dbt producer's ``pre_execute``, before its ``dbt build``.

    Checks every source (and reports breaches) at the run's reference time, publishes each
    status where the source's sensor task reads it (``error`` fails that task, so the lineage
    downstream of it in Airflow is ``upstream_failed``; ``warn`` passes) and excludes
    ``source:<name>+`` of every enforced error from the build.
    """
    from cosmos.operators._watcher.state import get_status_xcom_key

    enforced = is_enforced((context.get("params") or {}).get("enforce_freshness", True))
    stale = []
    for spec in specs:
        result = assess_source_freshness(spec, enforced, context)
        stops = stops_lineage(result)
        shown = "error" if stops else result["status"].replace("error", "warn")
        context["ti"].xcom_push(key=get_status_xcom_key(spec.unique_id),
                                value={"status": shown, "outlet_uris": []})
        if stops:
            stale.append(f"source:{result['dbt_source']}+")
    if stale:
        producer = context["task"]
        producer.exclude = " ".join(x for x in (producer.exclude, *stale) if x)
        log.error("stale sources: %s are not built (exclude %s)", stale, producer.exclude)


def dbt_watcher_build(cfg: TransformConfig, manifest_path: Path, manifest: dict[str, Any],
                      specs: list[FreshnessSpec]) -> Any:
    """``watcher`` mode: one Cosmos DbtTaskGroup ``dbt`` whose producer runs ONE ``dbt build``
    of every layer but the publication; sensors per model, tests and source, grouped by folder.
    """
    from cosmos import DbtTaskGroup, LoadMode, RenderConfig, SourceRenderingBehavior, TestBehavior
    from cosmos.operators.watcher import DbtProducerWatcherOperator, DbtSourceWatcherOperator

    layer = WATCHER_BUILD
    checked = {spec.unique_id for spec in specs}
    # sources without an SLA (the ML score tables) get no task, nor an empty folder group
    unchecked = sorted(f"source:{n['source_name']}.{n['name']}"
                       for uid, n in manifest["sources"].items() if uid not in checked)
    configs = _cosmos_configs(cfg, manifest_path, "watcher")
    # only the producer opens the warehouse; the sensors read its XComs
    configs["execution_config"].setup_operator_args = {
        **cfg.pool_args, "pre_execute": functools.partial(freshness_gate, specs=tuple(specs))}
    with _folder_task_groups():
        group = DbtTaskGroup(
            group_id=layer.group_id,
            tooltip=layer.tooltip,
            render_config=RenderConfig(
                load_method=LoadMode.DBT_MANIFEST, select=list(layer.select),
                exclude=[*layer.exclude, *unchecked],
                # the producer's one build runs every test; a sensor per model reports them
                test_behavior=TestBehavior.AFTER_EACH, group_nodes_by_folder=True,
                # a task per source with an SLA, fed by freshness_gate
                source_rendering_behavior=SourceRenderingBehavior.WITH_TESTS_OR_FRESHNESS,
                emit_datasets=False,
            ),
            operator_args=_operator_args(cfg),
            **configs,
        )
    for node_id, task_or_group in group.tasks_map.items():
        for t in _tasks_of(task_or_group):
            if isinstance(t, DbtProducerWatcherOperator):
                # freshness_gate replaces Cosmos' `dbt source freshness` pre-check (which judges
                # against the wall clock, not the run's date, and costs one more dbt call)
                t._check_source_freshness = False
                t.tests_per_model = _own_tests(t.tests_per_model, manifest)
            elif isinstance(t, DbtSourceWatcherOperator):
                if node_id not in checked:
                    raise ValueError(f"{node_id} is rendered but has no freshness SLA to check")
                # a retry would run `dbt source freshness`; a stale source stays stale
                t.retries = 0
                # it fails for a freshness error (the gate e-mailed it) or a failed producer
                # (whose own failure e-mail says why): no second e-mail
                t.on_failure_callback = []
    return group


def _start_sensors_in_triggerer(group: Any) -> None:
    """Every sensor of the watcher group starts in the triggerer, polling every 5 s (Cosmos:
    10 s), no worker until its node is done (include/c360/transform/watcher.py). After the
    outlets are attached."""
    from include.c360.transform.watcher import start_in_triggerer

    for task_or_group in group.tasks_map.values():
        for t in _tasks_of(task_or_group):
            if hasattr(t, "producer_task_id") and hasattr(t, "poke_interval"):
                t.poke_interval = WATCHER_POKE_SECONDS
                start_in_triggerer(t)


def _own_tests(tests_per_model: dict[str, list[str]], manifest: dict[str, Any]
               ) -> dict[str, list[str]]:
    """The tests a model's test sensor waits for: the ones defined on that model.

    Cosmos lists a test under every model it reads, so ``dim_customers``' sensor would wait for
    the relationships tests of every model pointing at it (built at the end of the run, or,
    for ``fct_customer_value``, not in this build at all: the sensor would never finish). A
    test with several parents belongs to the model it is defined on (``attached_node``), as in
    ``local`` mode.
    """
    own: dict[str, list[str]] = {}
    for model_id, test_ids in tests_per_model.items():
        own[model_id] = [
            t for t in test_ids
            if (manifest["nodes"].get(t, {}).get("attached_node") or model_id) == model_id]
    return own


def _subgroup(group: Any, *path: str) -> Any:
    """A nested task group by its folder path, e.g. ``_subgroup(g, "models", "staging")``."""
    for part in path:
        group = group.children[f"{group.group_id}.{part}"]
    return group


def _tasks_of(task_or_group: Any) -> list[Any]:
    if isinstance(task_or_group, TaskGroup):
        return list(task_or_group.children.values())
    return [task_or_group]


def _attach_assets(group: Any, manifest: dict[str, Any]) -> None:
    """Outlets on the tasks that build tables (not views): ``x-c360://warehouse/<schema>/<model>``."""
    for node_id, task_or_group in group.tasks_map.items():
        node = manifest["nodes"].get(node_id)
        if not node or node["resource_type"] not in {"model", "snapshot"}:
            continue
        if (node.get("config") or {}).get("materialized") in {"ephemeral", "view"}:
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
            tasks[spec.unique_id] = t
    return tasks


def build_transform(cfg: TransformConfig | None = None) -> dict[str, Any]:
    """Create every task of the transform DAG inside the current DAG context."""
    from include.c360.ml.taskgroup import ml_scoring_task_group
    from include.c360.report.taskgroup import GROUP_ID as CONSUMERS
    from include.c360.report.taskgroup import consumers_task_group

    cfg = cfg or TransformConfig.from_env()
    manifest_path = require_manifest()
    manifest = load_manifest()
    # an enforced freshness error also holds back what waits for every staging model
    specs = [replace(s, held_back=(*s.held_back, ML_GROUP, PUBLISH.group_id, DIGEST_TASK,
                                   CONSUMERS))
             for s in specs_from_manifest(manifest)]

    checks: dict[str, Any] = {}
    if cfg.execution_mode == "watcher":
        build = dbt_watcher_build(cfg, manifest_path, manifest, specs)
        groups = {WATCHER_BUILD.group_id: build}
        # scoring reads the feature tables and (point in time) the staging views
        feeds_ml = [_subgroup(build, "models", "staging"), _subgroup(build, "models", "features")]
    else:
        checks = freshness_checks(specs, cfg)
        groups = {layer.group_id: dbt_layer(layer, cfg, manifest_path) for layer in LOCAL_LAYERS}
        feeds_ml = [groups["staging"], groups["features"]]
    groups[PUBLISH.group_id] = dbt_layer(PUBLISH, cfg, manifest_path)
    for layer in (*LAYERS, WATCHER_BUILD):
        if layer.emits_assets and layer.group_id in groups:
            _attach_assets(groups[layer.group_id], manifest)
    if cfg.execution_mode == "watcher":
        _start_sensors_in_triggerer(groups[WATCHER_BUILD.group_id])
    ml = ml_scoring_task_group(
        group_id=ML_GROUP, as_of=AS_OF, sequential=cfg.target == "duckdb",
        pool=cfg.pool_args.get("pool"), retries=cfg.retries,
    )

    dbt_groups = list(groups.values())
    _share_partial_parse_cache(dbt_groups)
    _wire_lineage(dbt_groups)
    _attach_multi_parent_tests(dbt_groups, manifest)
    # local: freshness gates the staging model(s) of its source only
    for g in dbt_groups:
        for node_id, node in g.dbt_graph.filtered_nodes.items():
            for parent_id in node.depends_on:
                if parent_id in checks and node_id in g.tasks_map:
                    checks[parent_id] >> g.tasks_map[node_id]
    feeds_ml >> ml
    ml >> groups[PUBLISH.group_id]
    digest = retention_digest_task(cfg)
    groups[PUBLISH.group_id] >> digest
    # the scorecard and the compliance export read what publish built
    consumers = consumers_task_group(as_of=AS_OF, pool=cfg.pool_args.get("pool"),
                                     retries=cfg.retries)
    groups[PUBLISH.group_id] >> consumers
    return {"freshness": checks, **groups, ML_GROUP: ml, DIGEST_TASK: digest,
            CONSUMERS: consumers}


def retention_digest_task(cfg: TransformConfig) -> Any:
    """E-mails the retention team the customers this run's scoring newly put at churn risk."""
    from include.c360.alerts.retention import retention_digest

    return task(task_id=DIGEST_TASK, **cfg.pool_args,
                doc_md="E-mail: the rows of alerts.fct_retention_alerts this run added.")(
        retention_digest)(as_of=AS_OF)
