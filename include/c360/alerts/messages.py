"""What each alert e-mail says: a subject naming what happened, an HTML body of facts.

Pure functions of plain values (no Airflow, no SMTP), so every message is unit-tested as the
recipient reads it. Every body ends with a link to the Airflow UI.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

PREFIX = "[c360]"
TRACEBACK_LINES = 20


@dataclass(frozen=True)
class Message:
    subject: str
    html: str
    files: tuple[str, ...] = field(default=())


def when(value: datetime | str | None) -> str:
    """``2026-11-24 06:00:00 UTC`` (ISO strings from the REST API's JSON are accepted)."""
    if value is None or value == "":
        return "-"
    moment = as_datetime(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def as_datetime(value: datetime | str) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(
        str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def duration(delta: timedelta) -> str:
    """``1 h 05 min``, ``3 min 20 s``, ``2 d 4 h``: how late, how long."""
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def _body(lead: str, facts: Iterable[tuple[str, Any]], *, link: tuple[str, str] | None = None,
          pre: str | None = None, table: tuple[Sequence[str], Sequence[Sequence[Any]]] | None
          = None, note: str | None = None) -> str:
    e = html.escape
    rows = "".join(f"<tr><th align='left'>{e(k)}</th><td>{e(str(v))}</td></tr>"
                   for k, v in facts)
    out = [f"<p>{e(lead)}</p>", f"<table>{rows}</table>"]
    if table is not None:
        header, data = table
        out.append("<table border='1' cellspacing='0' cellpadding='3'><tr>"
                   + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"
                   + "".join("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in r) + "</tr>"
                             for r in data) + "</table>")
    if pre:
        out.append(f"<pre>{e(pre)}</pre>")
    if note:
        out.append(f"<p>{e(note)}</p>")
    if link:
        out.append(f"<p><a href='{e(link[1])}'>{e(link[0])}</a>: {e(link[1])}</p>")
    return "\n".join(out)


def deadline_missed(*, dag_id: str, run_id: str, state: str, what: str, sources: str,
                    due: datetime | str | None, deadline: datetime | str, now: datetime,
                    url: str) -> Message:
    """A run that was not done by its deadline (one mail per missed deadline)."""
    late = now - as_datetime(deadline)
    allowed = "-" if not due else duration(as_datetime(deadline) - as_datetime(due))
    subject = (f"{PREFIX} SLA missed: {dag_id} ({what}) not done by {when(deadline)}, "
               f"run {run_id}")
    lead = (f"The run {run_id} of {dag_id} ({what}) missed its deadline: it was "
            f"{state} at {when(now)}, {duration(late)} after the deadline.")
    facts = [("DAG", dag_id), ("source", sources), ("run", run_id), ("state", state),
             ("due at", when(due)), ("deadline", f"{when(deadline)} ({allowed} after due)"),
             ("late by", duration(late))]
    return Message(subject, _body(lead, facts, link=("the run in Airflow", url)))


def task_failed(*, dag_id: str, task_id: str, run_id: str, tries: int | None,
                error: str, traceback_lines: Sequence[str], log_url: str) -> Message:
    """A task that failed for good (its last try); retries never mail."""
    tried = f" after {tries} {'try' if tries == 1 else 'tries'}" if tries else ""
    first = error.strip().splitlines()[0] if error.strip() else "error"
    subject = f"{PREFIX} Task failed: {dag_id}.{task_id}{tried}: {first}"[:250]
    lead = f"The task {task_id} of {dag_id} failed{tried}; it is not retried again."
    facts = [("DAG", dag_id), ("task", task_id), ("run", run_id), ("tries", tries or "-")]
    tail = "\n".join(list(traceback_lines)[-TRACEBACK_LINES:])
    return Message(subject, _body(lead, facts, pre=tail, link=("the task's log", log_url)))


def freshness_breach(*, source: str, dbt_source: str, status: str, relation: str,
                     max_loaded_at: str | None, age_hours: float | None,
                     warn_after_hours: float | None, error_after_hours: float | None,
                     checked_at: str, held_back: Sequence[str], dag_id: str, run_id: str,
                     url: str, never_delivered: Sequence[str] = ()) -> Message:
    """A source past its warn or error freshness threshold, or with days never delivered
    (one mail per breach and run)."""
    from include.c360.ingest.plan import day_ranges

    level = "ERROR" if status == "error" else "WARNING"
    age = "never loaded" if age_hours is None else f"{age_hours:.1f} h old"
    limit = error_after_hours if status == "error" else warn_after_hours
    gaps = day_ranges([date.fromisoformat(d) for d in never_delivered])
    if never_delivered:
        subject = (f"{PREFIX} Freshness {level}: source {source} has {len(never_delivered)} "
                   f"day(s) never delivered ({gaps})")[:250]
    else:
        subject = (f"{PREFIX} Freshness {level}: source {source} is {age} "
                   f"({status} after {limit:g} h)")
    if held_back:
        consequence = (f"Its lineage is held back in run {run_id}: {len(held_back)} dbt "
                       "nodes and tasks are not built on stale data.")
    else:
        consequence = f"Run {run_id} goes on; nothing is held back."
    breach = (f"is missing days: {gaps} were never delivered, though later days were (the "
              f"ingestion task fails over them too)" if never_delivered
              else "breached its freshness SLA")
    lead = f"Source {dbt_source} ({relation}) {breach}. {consequence}"
    facts = [("source", source), ("dbt source", dbt_source), ("RAW table", relation),
             ("newest _loaded_at", when(max_loaded_at) if max_loaded_at else "no rows"),
             ("age at check", age), ("warn after", _hours(warn_after_hours)),
             ("error after", _hours(error_after_hours)), ("checked at", when(checked_at)),
             ("days never delivered", gaps or "none"), ("DAG", dag_id), ("run", run_id),
             ("held back", ", ".join(held_back) if held_back else "nothing")]
    return Message(subject, _body(lead, facts, link=("the run in Airflow", url)))


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:g} h"


RETENTION_COLUMNS = ("customer_id", "churn_probability", "previous_churn_probability",
                     "customer_segment", "predicted_ltv")


def retention_digest(*, scored_at: datetime | str, threshold: float,
                     alerts: Sequence[dict[str, Any]], top: int, csv_path: str | None,
                     dag_id: str, run_id: str, url: str) -> Message:
    """The customers whose churn probability newly crossed the threshold in one scoring, by
    predicted LTV (``alerts`` sorted by it, descending); the full list as a CSV attachment."""
    at_risk = sum(float(a.get("predicted_ltv") or 0) for a in alerts)
    day = when(scored_at)[:10]
    subject = (f"{PREFIX} Retention: {len(alerts)} customers newly above churn {threshold:g} "
               f"(scoring of {day}), ${at_risk:,.2f} predicted LTV at risk")
    lead = (f"{len(alerts)} customers crossed the churn probability threshold {threshold:g} in "
            f"the scoring of {day}; their 12-month predicted LTV is ${at_risk:,.2f}.")
    facts = [("scoring", day), ("customers", len(alerts)),
             ("value at risk (sum of predicted LTV)", f"${at_risk:,.2f}"),
             ("threshold", f"churn probability > {threshold:g}"), ("DAG", dag_id),
             ("run", run_id)]
    rows = [(a["customer_id"], _p(a["churn_probability"]), _p(a["previous_churn_probability"]),
             a.get("customer_segment") or "-", _money(a.get("predicted_ltv")))
            for a in alerts[:top]]
    header = ("customer", "churn probability", "previous", "segment", "predicted LTV")
    shown = f"the top {len(rows)} by predicted LTV" if len(rows) < len(alerts) else "all of them"
    note = (f"Above: {shown}. The full list is attached (CSV) and in alerts.fct_retention_alerts. "
            "'previous' is the probability of the scoring before ('new' = not scored then).")
    return Message(subject, _body(lead, facts, table=(header, rows), note=note,
                                  link=("the run in Airflow", url)),
                   files=(csv_path,) if csv_path else ())


def _p(value: Any) -> str:
    return "new" if value is None else f"{float(value):.3f}"


def _money(value: Any) -> str:
    return "-" if value is None else f"${float(value):,.2f}"
