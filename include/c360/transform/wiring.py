"""How the dbt task groups of the DAG fit together: the Assets their tasks update, one dbt
parse cache, dbt's dependencies across groups, tests with several parents, freshness checks
before what reads their source. The same in both execution modes."""

from __future__ import annotations

from typing import Any

from airflow.sdk import TaskGroup

from include.c360.assets import model_asset
from include.c360.transform.dbt_groups import tasks_of


def attach_assets(group: Any, manifest: dict[str, Any]) -> None:
    """Outlets on the tasks that build tables (not views): ``x-c360://warehouse/<schema>/<model>``."""
    for node_id, task_or_group in group.tasks_map.items():
        node = manifest["nodes"].get(node_id)
        if not node or node["resource_type"] not in {"model", "snapshot"}:
            continue
        if (node.get("config") or {}).get("materialized") in {"ephemeral", "view"}:
            continue
        for t in tasks_of(task_or_group):
            if "Test" not in type(t).__name__:  # the task that builds it, not its tests
                t.outlets = [*list(t.outlets or []), model_asset(node)]


def share_partial_parse_cache(groups: list[Any]) -> None:
    """One Cosmos cache dir for every dbt task of the DAG (Cosmos keeps one per task group).

    dbt re-parses the whole project when ``--vars`` change (as_of_date changes every day): with
    one cache only the run's first dbt task pays that full parse, the others reuse its
    ``partial_parse.msgpack`` (Cosmos copies it atomically).
    """
    tasks = [t for g in groups for tg in g.tasks_map.values() for t in tasks_of(tg)
             if getattr(t, "cache_dir", None) is not None]
    if tasks:
        shared = tasks[0].cache_dir
        for t in tasks:
            t.cache_dir = shared


def _owners(groups: list[Any]) -> dict[str, Any]:
    """The task (or task group) of each dbt node, over all groups."""
    owner: dict[str, Any] = {}
    for g in groups:
        owner.update(g.tasks_map)
    return owner


def wire_lineage(groups: list[Any]) -> None:
    """A node waits for its parents that other groups render (dbt's own dependencies)."""
    owner = _owners(groups)
    for g in groups:
        for node_id, node in g.dbt_graph.filtered_nodes.items():
            child = g.tasks_map.get(node_id)
            if child is None:
                continue
            for parent_id in node.depends_on:
                parent = owner.get(parent_id)
                if parent is not None and parent_id not in g.tasks_map:
                    parent >> child


def attach_multi_parent_tests(groups: list[Any], manifest: dict[str, Any]) -> None:
    """Run each test with several parents (relationships) exactly once: in the build task of
    the model it is defined on, which then also waits for the other parents' tasks.

    So a failing relationships test fails that model's task and gates what is built from it.
    """
    owner = _owners(groups)
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


def gate_on_freshness(groups: list[Any], checks: dict[str, Any]) -> None:
    """A freshness check task (``{source unique_id: task}``) before the nodes reading its
    source: its staging model(s) only."""
    for g in groups:
        for node_id, node in g.dbt_graph.filtered_nodes.items():
            for parent_id in node.depends_on:
                if parent_id in checks and node_id in g.tasks_map:
                    checks[parent_id] >> g.tasks_map[node_id]
