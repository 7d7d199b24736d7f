"""Watcher sensors start in the triggerer (include/c360/transform/watcher.py): what the trigger
does with each outcome of its dbt node, and that the parsed DAG hands every sensor to it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from unittest.mock import patch

import pytest
from airflow.triggers.base import TaskSkippedEvent, TaskSuccessEvent, TriggerEvent
from cosmos.operators._watcher.aggregation import get_tests_status_xcom_key
from cosmos.operators._watcher.state import get_status_xcom_key
from cosmos.operators._watcher.triggerer import WatcherTrigger

from include.c360.transform.watcher import SHARED_READS, NodeStatusTrigger, SharedReads

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

    async def producer_state(_self):
        polls[0] += 1
        polls[1] = next(states, polls[1])
        return polls[1]

    trigger.get_xcom_val = get_xcom_val

    async def collect() -> list[TriggerEvent]:
        return [event async for event in trigger.run()]

    with patch.object(WatcherTrigger, "_get_producer_task_status", producer_state):
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


def _run_together(triggers: list[NodeStatusTrigger], xcoms: dict, done_after: float,
                  monkeypatch) -> tuple[list[list[TriggerEvent]], list[str], list[str]]:
    """Run triggers in one event loop, as the triggerer does, against the Airflow 3 reads
    (the producer's state and XComs); every node is done ``done_after`` seconds in."""
    state_reads: list[str] = []
    xcom_reads: list[str] = []
    started = [0.0]

    async def producer_state(self):
        state_reads.append(self.run_id)
        await asyncio.sleep(0.01)  # a request takes a while: others may ask meanwhile
        return "running"

    async def xcom(self, key):
        xcom_reads.append(key)
        done = asyncio.get_running_loop().time() - started[0] >= done_after
        return {**STARTED, **xcoms}.get(key) if key in STARTED or done else None

    monkeypatch.setattr(WatcherTrigger, "_get_producer_task_status", producer_state)
    monkeypatch.setattr(WatcherTrigger, "get_xcom_val_af3", xcom)

    async def one(trigger: NodeStatusTrigger) -> list[TriggerEvent]:
        return [event async for event in trigger.run()]

    async def together() -> list[list[TriggerEvent]]:
        started[0] = asyncio.get_running_loop().time()
        return await asyncio.gather(*(one(t) for t in triggers))

    return asyncio.run(asyncio.wait_for(together(), timeout=20)), state_reads, xcom_reads


def _sensor_of(run_id: str, model: str = MODEL, poke_interval: float = 0.2
               ) -> NodeStatusTrigger:
    trigger = NodeStatusTrigger(model_unique_id=model, producer_task_id=PRODUCER,
                                poke_interval=poke_interval)
    trigger.task_instance = SimpleNamespace(dag_id="c360_transform", run_id=run_id, task_id="t",
                                            map_index=-1, try_number=1)
    return trigger


def test_the_sensors_of_a_run_share_the_producer_reads(monkeypatch):
    """The triggerer serves every read on the build's cores: with 8 sensors of one run waiting
    ~1 s (5 polls each), the producer's state is read about once per poll, not once per sensor
    and poll; each sensor still reads its own node's status every poll and ends with it."""
    models = [f"model.customer360.m{i}" for i in range(8)]
    xcoms = {get_status_xcom_key(m): {"status": "success", "outlet_uris": []} for m in models}
    events, state_reads, xcom_reads = _run_together(
        [_sensor_of("manual__1", m) for m in models], xcoms, done_after=0.9,
        monkeypatch=monkeypatch)
    assert all(len(e) == 1 and isinstance(e[0], TaskSuccessEvent) for e in events)
    polls = xcom_reads.count(get_status_xcom_key(models[0]))
    assert polls >= 4
    assert len(state_reads) <= polls + 2  # one per poll round, not 8 per poll round
    assert xcom_reads.count("dbt_startup_events") <= 2
    assert all(xcom_reads.count(get_status_xcom_key(m)) >= 4 for m in models)


def test_sensors_of_different_runs_do_not_share(monkeypatch):
    _, state_reads, _ = _run_together(
        [_sensor_of("manual__1"), _sensor_of("manual__2")], _status("success"),
        done_after=0.5, monkeypatch=monkeypatch)
    assert {"manual__1", "manual__2"} == set(state_reads)
    assert 2 <= state_reads.count("manual__1") <= state_reads.count("manual__2") + 1


def test_a_retry_reads_the_producer_state_afresh(monkeypatch):
    """The state the run's other sensors share may predate the producer's end: a cleared sensor
    believing it would report its failed try's status instead of running its node again."""
    async def finished(self):
        return "success"

    async def xcom(self, key):
        return {**STARTED, **_status("error")}.get(key)

    monkeypatch.setattr(WatcherTrigger, "_get_producer_task_status", finished)
    monkeypatch.setattr(WatcherTrigger, "get_xcom_val_af3", xcom)
    trigger = _sensor_of("manual__1", poke_interval=60)
    trigger.task_instance.try_number = 2
    trigger.dag_id, trigger.run_id = "c360_transform", "manual__1"

    async def scenario() -> list[TriggerEvent]:
        # another sensor of the run read the producer's state just before it finished
        await SHARED_READS.get(trigger._run_key("producer_state"), 60,
                               lambda: asyncio.sleep(0, "running"))
        return [event async for event in trigger.run()]

    events = asyncio.run(asyncio.wait_for(scenario(), timeout=10))
    assert [e.payload for e in events] == [{"status": "failed", "reason": "producer_skipped"}]


def test_a_failed_shared_read_is_asked_again():
    reads = SharedReads()
    asked = []

    async def flaky():
        asked.append(1)
        if len(asked) == 1:
            raise ConnectionError("the API is restarting")
        return "running"

    async def twice():
        with pytest.raises(ConnectionError):
            await reads.get("state", 60, flaky)
        return await reads.get("state", 60, flaky), await reads.get("state", 60, flaky)

    assert asyncio.run(twice()) == ("running", "running")
    assert len(asked) == 2  # the failure was not kept; the success was


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
