"""Watcher sensors start in the triggerer (include/c360/transform/watcher.py): what the trigger
does with each outcome of its dbt node, and that the parsed DAG hands every sensor to it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from airflow.triggers.base import TaskSkippedEvent, TaskSuccessEvent, TriggerEvent
from cosmos.operators._watcher.aggregation import get_tests_status_xcom_key
from cosmos.operators._watcher.state import get_status_xcom_key

from include.c360.transform.watcher import NodeStatusTrigger

MODEL = "model.customer360.dim_customers"
PRODUCER = "dbt.dbt_producer_watcher"
# what the producer publishes as soon as dbt starts
STARTED = {"dbt_startup_events": [{"name": "MainReportVersion", "msg": "Running with dbt"},
                                  {"name": "AdapterRegistered", "msg": "adapter: duckdb"}]}


def _run(trigger: NodeStatusTrigger, xcoms: dict, producer_states: list[str | None],
         try_number: int = 1, hidden_polls: int = 0) -> list[TriggerEvent]:
    """Run the trigger against fake XComs (none visible for the first ``hidden_polls`` polls of
    the producer's state); the producer's state follows ``producer_states``, then stays."""
    trigger.task_instance = SimpleNamespace(dag_id="c360_transform", run_id="manual__1",
                                            task_id="t", map_index=-1, try_number=try_number)
    xcoms = {**STARTED, **xcoms}
    trigger.poke_interval = 0.01
    trigger.asked = []
    states = iter(producer_states)
    polls = [0, None]

    async def get_xcom_val(key: str):
        trigger.asked.append(key)
        return xcoms.get(key) if polls[0] > hidden_polls else None

    async def producer_state():
        polls[0] += 1
        polls[1] = next(states, polls[1])
        return polls[1]

    trigger.get_xcom_val = get_xcom_val
    trigger._get_producer_task_status = producer_state

    async def collect() -> list[TriggerEvent]:
        return [event async for event in trigger.run()]

    return asyncio.run(asyncio.wait_for(collect(), timeout=10))


def _trigger(**kwargs) -> NodeStatusTrigger:
    return NodeStatusTrigger(model_unique_id=MODEL, producer_task_id=PRODUCER, **kwargs)


def _status(status: str) -> dict:
    return {get_status_xcom_key(MODEL): {"status": status, "outlet_uris": []}}


def test_success_ends_the_task_in_the_triggerer():
    trigger = _trigger()
    events = _run(trigger, _status("success"), ["running"])
    assert len(events) == 1 and isinstance(events[0], TaskSuccessEvent)
    # the run it watched is the task instance's, not one fixed at parse time
    assert (trigger.dag_id, trigger.run_id) == ("c360_transform", "manual__1")


def test_success_of_a_task_with_outlets_resumes_on_a_worker():
    events = _run(_trigger(end_on_success=False), _status("success"), ["running"])
    assert len(events) == 1 and not isinstance(events[0], TaskSuccessEvent)
    assert events[0].payload["status"] == "success"


def test_waits_until_the_node_is_done():
    trigger = _trigger()
    events = _run(trigger, _status("success"), ["running"], hidden_polls=3)
    assert len(events) == 1 and isinstance(events[0], TaskSuccessEvent)
    assert trigger.asked.count(get_status_xcom_key(MODEL)) > 3


def test_failed_test_resumes_on_a_worker_to_fail_there():
    xcoms = {get_tests_status_xcom_key(MODEL): "fail"}
    events = _run(_trigger(is_test_sensor=True), xcoms, ["running"])
    assert len(events) == 1 and not isinstance(events[0], TaskSuccessEvent)
    assert events[0].payload == {"status": "failed", "reason": "node_failed"}


def test_skipped_node_ends_skipped():
    events = _run(_trigger(), _status("skipped"), ["success"])
    assert len(events) == 1 and isinstance(events[0], TaskSkippedEvent)


def test_failed_producer_fails_the_waiting_sensor_on_a_worker():
    events = _run(_trigger(), {}, ["failed"])
    assert events[0].payload == {"status": "failed", "reason": "producer_failed"}


@pytest.mark.parametrize("producer", ["success", "failed"])
def test_retry_after_the_build_reruns_the_node_on_a_worker(producer):
    trigger = _trigger()
    events = _run(trigger, _status("error"), [producer], try_number=2)
    # Cosmos' consumer runs its node itself for this payload (execute_complete's fallback)
    assert [e.payload for e in events] == [{"status": "failed", "reason": "producer_skipped"}]
    assert get_status_xcom_key(MODEL) not in trigger.asked


def test_retry_while_the_build_runs_waits_for_it():
    events = _run(_trigger(), _status("success"), ["running", "running"], try_number=2)
    assert len(events) == 1 and isinstance(events[0], TaskSuccessEvent)


def test_serialize_round_trip():
    trigger = _trigger(end_on_success=False, is_test_sensor=True, poke_interval=5.0)
    classpath, kwargs = trigger.serialize()
    assert classpath == "include.c360.transform.watcher.NodeStatusTrigger"
    again = NodeStatusTrigger(**kwargs)
    assert again.serialize() == (classpath, kwargs)


def test_every_watcher_sensor_starts_in_the_triggerer(manifest):
    from airflow.serialization.serialized_objects import DagSerialization

    from tests.transform.test_transform_dag import load_dag

    dag = load_dag("watcher")
    sensors = [t for t in dag.tasks if hasattr(t, "producer_task_id")]
    assert len(sensors) >= 30
    for t in sensors:
        assert t.start_from_trigger, t.task_id
        args = t.start_trigger_args
        assert args.trigger_cls == "include.c360.transform.watcher.NodeStatusTrigger"
        assert args.next_method == "execute_complete"
        kwargs = args.trigger_kwargs
        assert kwargs["model_unique_id"] == t.model_unique_id
        assert kwargs["producer_task_id"] == PRODUCER
        assert kwargs["is_test_sensor"] == t.task_id.endswith(".test")
        # tasks that update an Asset finish on a worker, which emits the Asset event
        assert kwargs["end_on_success"] == (not t.outlets), t.task_id
        NodeStatusTrigger(**kwargs)  # the triggerer can build it from these kwargs
    # what the scheduler sees: the serialized DAG keeps it
    scheduled = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    for t in sensors:
        task = scheduled.get_task(t.task_id)
        kwargs = DagSerialization.deserialize(task.start_trigger_args.trigger_kwargs)
        assert task.start_from_trigger and kwargs == t.start_trigger_args.trigger_kwargs
    # the producer and the rest run on workers
    assert not dag.get_task("dbt.dbt_producer_watcher").start_from_trigger
