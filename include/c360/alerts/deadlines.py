"""Deadline Alerts (Airflow 3's SLAs): when a run must be done, and who hears when it is not.

* ``c360_ingest_<source>``: done ``Source.load_deadline`` after it was queued (the registry's
  cadence and warn threshold: 15 min for transactions, 1 day for weekly products, 1 h for the
  others; a scheduled run is queued when it is due).
* ``c360_transform``: the Customer 360 published by ``c360_transform_deadline_utc`` (UTC time of
  day, default 06:00): the first such time at or after the run was due (``run_after``), so the
  run due at 02:05 must be done by 06:00 that day. The reference is
  :class:`PublicationDeadline`, registered with Airflow by ``plugins/c360_alerts.py``; the
  scheduler evaluates it, reading the Variable, when it creates the run.

The scheduler marks a deadline missed once and queues its callback once (``Deadline.missed``);
the triggerer runs it: ``DeadlineMissedNotifier`` e-mails the on-call list. A run that ends in
success before its deadline deletes it (no e-mail); retries, clears and scheduler loops never
send a second one. Deadlines exist only under a running scheduler: ``dag.test()`` and
``airflow dags test`` never evaluate them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import AsyncCallback, BaseDeadlineReference, DeadlineAlert, DeadlineReference

from include.c360.alerts import config
from include.c360.alerts.notifiers import DeadlineMissedNotifier
from include.c360.constants import RAW_SCHEMA
from include.c360.sources import Source

log = logging.getLogger(__name__)


def _callback(what: str, sources: str) -> AsyncCallback:
    """The triggerer awaits ``DeadlineMissedNotifier(what=..., sources=..., context=...)``."""
    return AsyncCallback(DeadlineMissedNotifier, kwargs={"what": what, "sources": sources})


def ingest_deadline(src: Source) -> DeadlineAlert:
    """An ingestion run must be done ``src.load_deadline`` after it was queued."""
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=src.load_deadline,
        callback=_callback(f"load of {src.name} into {RAW_SCHEMA}.{src.name}", src.name),
        name=f"{src.name} loaded within {src.load_deadline}",
    )


class PublicationDeadline(BaseDeadlineReference):
    """The first ``c360_transform_deadline_utc`` (HH:MM[:SS] UTC) at or after the run is due.

    Evaluated by the scheduler when it creates a run (it reads the Variable then; a bad value
    is logged and the default 06:00 used, never a run left without a deadline).
    """

    required_kwargs = {"dag_id", "run_id"}

    def _evaluate_with(self, *, session: Any, **kwargs: Any) -> datetime | None:
        # scheduler side: the core models, with the scheduler's session
        from airflow.models.dagrun import DagRun
        from airflow.models.variable import Variable  # core, in the scheduler
        from sqlalchemy import select

        due = session.scalar(select(DagRun.run_after).where(
            DagRun.dag_id == kwargs["dag_id"], DagRun.run_id == kwargs["run_id"]))
        if due is None:
            return None
        return publication_deadline(due, Variable.get(config.TRANSFORM_DEADLINE_UTC,
                                                      default_var=None))


def publication_deadline(due: datetime, setting: str | None) -> datetime:
    """The deadline of a transform run due at ``due`` for the Variable's value ``setting``."""
    try:
        at = config.parse_time_of_day(setting or config.DEFAULT_TRANSFORM_DEADLINE)
    except ValueError as e:
        log.error("%s; using %s", e, config.DEFAULT_TRANSFORM_DEADLINE)
        at = config.parse_time_of_day(config.DEFAULT_TRANSFORM_DEADLINE)
    return config.next_time_of_day(due, at)


def transform_deadline(sources: list[Source]) -> DeadlineAlert:
    """The transform run (its publication of the Customer 360) done by the publication time."""
    return DeadlineAlert(
        reference=PublicationDeadline(),
        interval=timedelta(0),
        callback=_callback("publication of the Customer 360, marts.fct_customer_value",
                           ", ".join(s.name for s in sources)),
        name="Customer 360 published by c360_transform_deadline_utc",
    )
