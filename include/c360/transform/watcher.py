"""Cosmos watcher sensors that start in the triggerer: no worker process until there is work.

In ``watcher`` mode one producer task runs ``dbt build``; a sensor per model, per model's tests
and per source reports it. Run as plain sensors, every one of them is a worker process that
parses the DAG and polls the producer's XComs until its node is done (poke mode), or parses the
DAG and defers (deferrable mode, which Airflow 3.3 can fail when the trigger fires at once:
apache/airflow#72716, the stale success event of the worker's exit). On a 2-core machine those
processes take CPU from the dbt build they report.

``start_in_triggerer`` makes each sensor start directly in the triggerer (Airflow's
``start_from_trigger``): the scheduler hands the task to the triggerer without a worker, so
there is no deferral exit to race with. ``NodeStatusTrigger`` (Cosmos' ``WatcherTrigger``)
polls the producer's XComs and then

* success: ends the task in the triggerer (``TaskSuccessEvent``, no worker at all), unless the
  task has outlets: then it resumes on a worker, whose successful end emits the Asset events;
* dbt skipped the node: ends the task as skipped (``TaskSkippedEvent``);
* the node or the producer failed: resumes on a worker, where Cosmos' ``execute_complete``
  logs the node's dbt events and fails the task (retries and callbacks as usual);
* a retry or a cleared task (try > 1) after the producer finished: resumes on a worker at once,
  where Cosmos re-runs the node on its own (its fallback for a producer that did not build it
  in this try), as a poking Cosmos sensor does on a retry.

Every read is a request the triggerer serves through its execution API, on the cores the build
runs on. What is the same for every sensor of a run (the producer's state, dbt's start-up
events) is read once per poll interval and shared by the run's triggers in this triggerer
(``SharedReads``); only the node's own status is read per trigger, without Cosmos' INFO line per
read.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any

from airflow.triggers.base import (
    StartTriggerArgs,
    TaskSkippedEvent,
    TaskSuccessEvent,
    TriggerEvent,
)
from cosmos.constants import _DBT_STARTUP_EVENTS_XCOM_KEY
from cosmos.listeners.dag_run_listener import EventStatus
from cosmos.operators._watcher.state import (
    PRODUCER_FINAL_STATES,
    _log_dbt_event,
    get_dbt_event_xcom_key,
)
from cosmos.operators._watcher.triggerer import WatcherEventReason, WatcherTrigger


class SharedReads:
    """Reads shared by the triggers of one event loop (the triggerer's): a read younger than
    ``max_age`` seconds, or still in flight, is reused instead of asked again.

    Failures are not kept (the next caller asks again). A shared value is at most ``max_age``
    old: for the producer's state that only delays a sensor by a poll, because its node's own
    status is read after it (Cosmos decides on the node's status first).
    """

    def __init__(self, keep_seconds: float = 120.0) -> None:
        self.keep_seconds = keep_seconds
        self._by_loop: weakref.WeakKeyDictionary[Any, dict[Hashable, tuple[float, Any]]] = (
            weakref.WeakKeyDictionary())

    async def get(self, key: Hashable, max_age: float, read: Callable[[], Awaitable[Any]]
                  ) -> Any:
        entries = self._by_loop.setdefault(asyncio.get_running_loop(), {})
        now = time.monotonic()
        hit = entries.get(key)
        if hit is None or now - hit[0] >= max_age:
            for stale in [k for k, (t, _) in entries.items() if now - t > self.keep_seconds]:
                del entries[stale]
            future = asyncio.ensure_future(read())
            hit = entries[key] = (now, future)

            def forget_failure(done: asyncio.Future, key: Hashable = key) -> None:
                failed = done.cancelled() or done.exception() is not None
                if failed and entries.get(key, (0, None))[1] is done:
                    del entries[key]

            future.add_done_callback(forget_failure)
        return await asyncio.shield(hit[1])


SHARED_READS = SharedReads()


class NodeStatusTrigger(WatcherTrigger):
    """Cosmos' ``WatcherTrigger`` for a sensor started in the triggerer.

    A start trigger's kwargs are fixed when the DAG is parsed, so the DAG run it watches comes
    from the task instance it runs for (set by the triggerer before ``run``).
    """

    def __init__(
        self,
        model_unique_id: str,
        producer_task_id: str,
        poke_interval: float = 5.0,
        is_test_sensor: bool = False,
        end_on_success: bool = True,
        dag_id: str = "",
        run_id: str = "",
        map_index: int | None = -1,
    ) -> None:
        super().__init__(
            model_unique_id=model_unique_id, producer_task_id=producer_task_id, dag_id=dag_id,
            run_id=run_id, map_index=map_index, poke_interval=poke_interval,
            is_test_sensor=is_test_sensor,
        )
        self.end_on_success = end_on_success

    def serialize(self) -> tuple[str, dict[str, Any]]:
        _, kwargs = super().serialize()
        return f"{type(self).__module__}.{type(self).__qualname__}", {
            **kwargs, "end_on_success": self.end_on_success}

    def _run_key(self, what: str) -> tuple[str, ...]:
        return (what, self.dag_id, self.run_id, str(self.map_index), self.producer_task_id)

    async def _get_producer_task_status(self) -> str | None:
        """The producer's state, read once per poll interval for all sensors of the run."""
        return await SHARED_READS.get(self._run_key("producer_state"), self.poke_interval,
                                      super()._get_producer_task_status)

    async def get_xcom_val(self, key: str) -> Any | None:
        """A producer XCom (Airflow 3), without Cosmos' INFO line per read; dbt's start-up
        events are the same for every sensor of the run and read once per poll interval."""
        if key == _DBT_STARTUP_EVENTS_XCOM_KEY:
            return await SHARED_READS.get(self._run_key(key), self.poke_interval,
                                          lambda: self.get_xcom_val_af3(key))
        return await self.get_xcom_val_af3(key)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        ti = self.task_instance
        self.dag_id, self.run_id, self.map_index = ti.dag_id, ti.run_id, ti.map_index
        # read afresh, not shared: a state from before the producer finished would let a retry
        # report the node's status of the failed try instead of running the node again
        if ti.try_number > 1 and await super()._get_producer_task_status() in PRODUCER_FINAL_STATES:
            self.log.info("try %s of %s: the producer has finished, so the node is run again "
                          "on a worker", ti.try_number, self.model_unique_id)
            yield TriggerEvent({"status": EventStatus.FAILED,
                                "reason": WatcherEventReason.PRODUCER_SKIPPED})
            return
        async for event in super().run():
            status = event.payload.get("status")
            if status == EventStatus.SKIPPED:
                yield TaskSkippedEvent()
            elif status == EventStatus.SUCCESS and self.end_on_success:
                _log_dbt_event(await self.get_xcom_val(
                    get_dbt_event_xcom_key(self.model_unique_id)))
                yield TaskSuccessEvent()
            else:
                yield event
            return


def start_in_triggerer(sensor: Any) -> None:
    """Make a Cosmos watcher sensor start in the triggerer with ``NodeStatusTrigger``.

    Call after its outlets are set: a sensor with outlets finishes on a worker (Asset events).
    """
    trigger = NodeStatusTrigger
    sensor.start_from_trigger = True
    sensor.start_trigger_args = StartTriggerArgs(
        trigger_cls=f"{trigger.__module__}.{trigger.__qualname__}",
        trigger_kwargs={
            "model_unique_id": sensor.model_unique_id,
            "producer_task_id": sensor.producer_task_id,
            "poke_interval": float(sensor.poke_interval),
            "is_test_sensor": sensor.is_test_sensor,
            "end_on_success": not sensor.outlets,
        },
        next_method="execute_complete",
        timeout=sensor.execution_timeout,
    )
