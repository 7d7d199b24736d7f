"""Every alert e-mail, sent by its notifier through the smtp provider to a real SMTP server
(aiosmtpd on 127.0.0.1), as Airflow calls it: ``notifier(context)`` for a task callback,
``await Notifier(**kwargs, context=...)`` for a Deadline Alert's AsyncCallback in the
triggerer. And what happens when no SMTP server answers: one clear log line, nothing raised.

The scheduler-driven path (real callbacks, real deadlines) is tests/alerts/test_alerting_e2e.py.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from include.c360.alerts import config, messages
from include.c360.alerts.deadlines import publication_deadline
from include.c360.alerts.notifiers import (
    DeadlineMissedNotifier,
    FreshnessBreachNotifier,
    RetentionDigestNotifier,
    TaskFailureNotifier,
)
from tests.alerts.smtp_sink import SmtpSink, smtp_connection

pytestmark = pytest.mark.timeout(60)
ONCALL = ["oncall@example.test", "lead@example.test"]


@pytest.fixture(scope="module")
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(sink, monkeypatch):
    sink.mails.clear()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", sink.connection())
    monkeypatch.setenv("AIRFLOW_VAR_C360_ONCALL_EMAILS", ", ".join(ONCALL))
    monkeypatch.setenv("AIRFLOW_VAR_C360_RETENTION_EMAILS", "retention@example.test")
    monkeypatch.delenv("AIRFLOW_VAR_C360_ALERT_FROM_EMAIL", raising=False)
    return sink


def _failure_context(error: BaseException) -> dict:
    ti = SimpleNamespace(dag_id="c360_ingest_orders", task_id="load", run_id="manual__r1",
                         try_number=3, log_url="http://localhost:8080/dags/c360_ingest_orders/"
                                               "runs/manual__r1/tasks/load?try_number=3")
    return {"ti": ti, "exception": error, "run_id": ti.run_id}


def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as e:  # the test wants the traceback
        return e


def test_task_failure_mail_has_the_errors_last_lines_and_the_log_link(smtp):
    from include.c360.ingest.run import IngestError

    error = _raised(IngestError("orders: 1 bad file(s) quarantined under _quarantine/:\n"
                                "  - file orders/dt=2026-11-24/orders_20261124.csv.gz row 3, "
                                "column 'quantity': value 'three' is not a valid int"))
    TaskFailureNotifier()(_failure_context(error))  # as Airflow calls a callback
    [mail] = smtp.wait_for(lambda m: True)
    assert mail.recipients == ONCALL and mail.sender == "c360-airflow@localhost"
    assert mail.subject.startswith("[c360] Task failed: c360_ingest_orders.load after 3 tries:")
    assert "IngestError: orders: 1 bad file(s)" in mail.subject
    assert "orders/dt=2026-11-24/orders_20261124.csv.gz row 3, column &#x27;quantity&#x27;" in \
        mail.html
    assert "raise error" in mail.html  # the traceback's last lines
    assert "runs/manual__r1/tasks/load?try_number=3" in mail.html


def test_an_error_that_sent_its_own_alert_is_not_mailed_again(smtp):
    from include.c360.transform.freshness import SourceFreshnessError

    TaskFailureNotifier()(_failure_context(_raised(SourceFreshnessError("stale"))))
    assert smtp.wait_for(lambda m: True, timeout=2) == []


def test_one_notifier_serves_many_tasks(smtp):
    """default_args share one notifier: a second failure gets its own message, and the text of
    the first (with Jinja-like braces) never reaches Airflow's template rendering."""
    notifier = TaskFailureNotifier()
    notifier(_failure_context(_raised(RuntimeError("select '{{ ds }' from x"))))
    notifier(_failure_context(_raised(ValueError("second"))))
    mails = smtp.wait_for(lambda m: True, count=2)
    assert ["RuntimeError" in mails[0].subject, "ValueError: second" in mails[1].subject] == [
        True, True]


def test_missed_deadline_mail_as_the_triggerer_awaits_it(smtp, monkeypatch):
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "http://airflow.example.test")
    deadline = datetime.now(UTC) - timedelta(seconds=90)
    context = {  # what the scheduler hands the callback (Deadline.handle_miss)
        "dag_run": {"dag_id": "c360_transform", "dag_run_id": "asset_triggered__2026-11-24",
                    "state": "running", "run_after": "2026-11-24T02:05:00Z",
                    "queued_at": "2026-11-24T02:05:01Z"},
        "deadline": {"id": "d1", "deadline_time": deadline},
    }

    async def callback():  # airflow.triggers.callback.CallbackTrigger.run
        return await DeadlineMissedNotifier(what="publication of the Customer 360",
                                            sources="customers, orders", context=context)

    asyncio.run(callback())
    [mail] = smtp.wait_for(lambda m: True)
    assert mail.recipients == ONCALL
    assert mail.subject == (
        f"[c360] SLA missed: c360_transform (publication of the Customer 360) not done by "
        f"{messages.when(deadline)}, run asset_triggered__2026-11-24")
    body = mail.html
    assert "customers, orders" in body and "running" in body
    assert "2026-11-24 02:05:00 UTC" in body  # due
    assert "late by</th><td>1 min 3" in body  # 90 s and a few of sending
    assert ("http://airflow.example.test/dags/c360_transform/runs/asset_triggered__2026-11-24"
            in body)


def test_freshness_mails_name_source_newest_load_thresholds_and_what_is_held_back(smtp):
    breach = {"source": "customers", "dbt_source": "crm.customers", "status": "error",
              "relation": "raw.customers", "max_loaded_at": "2026-11-22T01:00:00+00:00",
              "age_hours": 49.5, "warn_after_hours": 24.0, "error_after_hours": 48.0,
              "checked_at": "2026-11-24T02:30:00+00:00",
              "held_back": ["stg_customers", "dim_customers", "ml_scoring", "publish"]}
    from airflow.sdk import DAG

    context = {"dag": DAG("c360_transform", schedule=None), "run_id": "r1"}
    assert FreshnessBreachNotifier(breach).notify(context) is True
    warn = {**breach, "source": "orders", "status": "warn", "age_hours": 30.0, "held_back": []}
    assert FreshnessBreachNotifier(warn).notify(context) is True
    error, warning = smtp.wait_for(lambda m: True, count=2)
    assert error.subject == ("[c360] Freshness ERROR: source customers is 49.5 h old "
                             "(error after 48 h)")
    for text in ("2026-11-22 01:00:00 UTC", "24 h", "48 h", "raw.customers",
                 "stg_customers, dim_customers, ml_scoring, publish", "held back in run r1"):
        assert text in error.html, text
    assert warning.subject == ("[c360] Freshness WARNING: source orders is 30.0 h old "
                               "(warn after 24 h)")
    assert "nothing is held back" in warning.html


def test_a_freshness_mail_names_the_days_never_delivered():
    msg = messages.freshness_breach(
        source="orders", dbt_source="oms.orders", status="error", relation="raw.orders",
        max_loaded_at="2026-11-24T01:30:00+00:00", age_hours=1.0, warn_after_hours=24.0,
        error_after_hours=48.0, checked_at="2026-11-24T02:30:00+00:00",
        held_back=["stg_orders"], dag_id="c360_transform", run_id="r1", url="http://x/r1",
        never_delivered=["2026-11-12", "2026-11-13", "2026-11-20"])
    assert msg.subject == ("[c360] Freshness ERROR: source orders has 3 day(s) never "
                           "delivered (dt=2026-11-12 .. dt=2026-11-13, dt=2026-11-20)")
    assert "never delivered, though later days were" in msg.html


def test_retention_digest_lists_top_customers_and_attaches_all(smtp, tmp_path):
    from include.c360.alerts.retention import write_csv

    alerts = [{"customer_id": f"C{i}", "churn_probability": 0.9 - i / 100,
               "previous_churn_probability": None if i == 0 else 0.5,
               "customer_segment": "At Risk", "predicted_ltv": 100.0 - i,
               "scored_at": datetime(2026, 11, 24)} for i in range(3)]
    csv_path = write_csv(alerts, tmp_path / "alerts.csv")
    message = messages.retention_digest(
        scored_at=datetime(2026, 11, 24), threshold=0.7, alerts=alerts, top=2,
        csv_path=str(csv_path), dag_id="c360_transform", run_id="r1", url="http://x/r1")
    assert RetentionDigestNotifier(message).notify({}) is True
    [mail] = smtp.wait_for(lambda m: True)
    assert mail.recipients == ["retention@example.test"]
    assert mail.subject == ("[c360] Retention: 3 customers newly above churn 0.7 (scoring of "
                            "2026-11-24), $297.00 predicted LTV at risk")
    assert "C0" in mail.html and "C1" in mail.html and "C2" not in mail.html
    assert "the top 2 by predicted LTV" in mail.html and "new" in mail.html
    [(name, content)] = mail.attachments().items()
    assert name == "alerts.csv"
    assert [line.split(",")[0] for line in content.strip().splitlines()] == [
        "customer_id", "C0", "C1", "C2"]


def test_the_digest_reads_the_alerts_its_run_added(tmp_path, monkeypatch):
    """alerts_added: the rows of this scoring detected during this run, by predicted LTV."""
    import duckdb

    from include.c360.alerts.retention import ALERTS_TABLE, alerts_added

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema alerts")
        con.execute(f"create table {ALERTS_TABLE} (customer_id varchar, customer_segment "
                    "varchar, churn_probability double, previous_churn_probability double, "
                    "alert_threshold double, predicted_ltv double, scored_at timestamp, "
                    "detected_at timestamp)")
        con.execute(f"insert into {ALERTS_TABLE} values "
                    "('C1', 'At Risk', 0.8, 0.6, 0.7, 50, '2026-11-24', '2026-11-24 03:00'), "
                    "('C2', 'Loyal', 0.9, null, 0.7, 80, '2026-11-24', '2026-11-24 03:00'), "
                    "('C3', 'Loyal', 0.9, 0.1, 0.7, 99, '2026-11-24', '2026-11-23 03:00'), "
                    "('C4', 'Loyal', 0.9, 0.1, 0.7, 99, '2026-11-23', '2026-11-24 03:00')")
    monkeypatch.setenv("C360_TARGET", "duckdb")
    monkeypatch.setenv("C360_DUCKDB_PATH", str(db))
    got = alerts_added("2026-11-24", datetime(2026, 11, 24, 2, 30, tzinfo=UTC))
    assert [(a["customer_id"], a["previous_churn_probability"]) for a in got] == [
        ("C2", None), ("C1", 0.6)]


@pytest.mark.parametrize("way", ["sync", "async"])
def test_no_smtp_server_the_send_is_logged_once_and_nothing_raises(way, smtp, monkeypatch,
                                                                  caplog):
    from scripts.local_airflow import free_port

    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection(free_port()))  # nobody there
    caplog.set_level(logging.INFO, logger="include.c360.alerts")
    notifier = FreshnessBreachNotifier({"source": "orders", "dbt_source": "oms.orders",
                                        "status": "warn", "relation": "raw.orders",
                                        "age_hours": 30.0, "warn_after_hours": 24.0})
    if way == "sync":
        sent = notifier.notify({"run_id": "r1"})
    else:
        sent = asyncio.run(notifier.async_notify({"run_id": "r1"}))
    assert sent is False
    records = [r for r in caplog.records if r.name.startswith("include.c360.alerts")]
    assert len(records) == 1 and records[0].levelno == logging.ERROR
    text = records[0].getMessage()
    assert "freshness breach e-mail NOT sent to oncall@example.test" in text
    assert "smtp_default" in text and "Connect" in text and "source orders" in text
    assert smtp.mails == []


def test_no_recipients_configured_is_logged_once(smtp, monkeypatch, caplog):
    monkeypatch.delenv("AIRFLOW_VAR_C360_ONCALL_EMAILS")
    caplog.set_level(logging.INFO, logger="include.c360.alerts")
    assert TaskFailureNotifier().notify(_failure_context(_raised(ValueError("x")))) is False
    records = [r for r in caplog.records if r.name.startswith("include.c360.alerts")]
    assert [r.levelno for r in records] == [logging.ERROR]
    assert "Variable c360_oncall_emails is empty or unset" in records[0].getMessage()
    assert smtp.mails == []


def test_publication_deadline_is_the_next_time_of_day_after_the_run_is_due():
    due = datetime(2026, 11, 24, 2, 5, tzinfo=UTC)
    assert publication_deadline(due, None) == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert publication_deadline(due, "05:30:15") == datetime(2026, 11, 24, 5, 30, 15,
                                                             tzinfo=UTC)
    # a run due after the time of day: published by the next morning
    late = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert publication_deadline(late, "06:00") == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    # a bad Variable never leaves a run without a deadline: the default applies
    assert publication_deadline(due, "6 am") == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="HH:MM"):
        config.parse_time_of_day("25:00")
    assert config.parse_time_of_day("7:05") == time(7, 5)


def test_ingestion_deadlines_follow_the_registry():
    """A run may take the slack its warn SLA leaves after one cadence, at least an hour, at
    most one cadence."""
    from include.c360.alerts.deadlines import ingest_deadline
    from include.c360.sources import SOURCES

    got = {s.name: (s.cadence, s.load_deadline) for s in SOURCES}
    h = timedelta(hours=1)
    assert got == {
        "customers": (24 * h, h), "orders": (24 * h, h), "campaigns": (24 * h, h),
        "support_tickets": (24 * h, h), "transactions": (h / 4, h / 4), "events": (h, h),
        "products": (7 * 24 * h, 24 * h)}
    alert = ingest_deadline(SOURCES[1])
    assert type(alert.reference).__name__ == "DagRunQueuedAtDeadline"
    assert alert.interval == h
    assert alert.callback.path == "include.c360.alerts.notifiers.DeadlineMissedNotifier"
    assert alert.callback.kwargs == {"what": "load of orders into raw.orders",
                                     "sources": "orders"}
