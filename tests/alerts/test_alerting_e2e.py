"""Alerting end to end: the real Airflow components and a real SMTP server.

One local Airflow (scripts/local_airflow.py: api-server, scheduler, dag-processor, triggerer) in
a temporary home on a free port, the project's DAGs, the smtp provider sending to aiosmtpd on
127.0.0.1, over a copy of the session's small generated world. Each case drives real runs and
reads what the SMTP server received:

* a transform run that misses its publication deadline -> exactly one well-formed e-mail; a run
  that finishes in time -> none (its deadline is deleted);
* a stale source -> one warning (warn, the run goes on), or one error e-mail with its lineage,
  scoring and publication held back (error);
* a task failing after its retries -> one e-mail; a warehouse error quarantines nothing;
* a bad file under on_error=fail -> the run fails after all its retries, one e-mail naming the
  file, row and column;
* a scoring that pushes customers over churn 0.7 -> one retention digest listing exactly them.

The runs share the one Airflow start; everything started is stopped, also on failure.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scripts.local_airflow import free_port
from tests.airflow_server import airflow_env, copy_warehouse, local_airflow
from tests.alerts.smtp_sink import Mail, SmtpSink

TRANSFORM = "c360_transform"
ONCALL = "oncall@example.test"
RETENTION = "retention@example.test"
BASELINE_AS_OF, AS_OF = "2026-11-17", "2026-11-24"
THRESHOLD = 0.7
SETTLE_SECONDS = 4

pytestmark = [pytest.mark.airflow_server, pytest.mark.timeout(900)]


@dataclass
class Platform:
    client: Any
    sink: SmtpSink
    db: Path
    landing: Path
    port: int

    def sql(self, statement: str, params: list | None = None, *, write: bool = False) -> list:
        """Read or change the warehouse between runs (never while a task holds it)."""
        import duckdb

        con = duckdb.connect(str(self.db), read_only=not write)
        try:
            return con.execute(statement, params or []).fetchall()
        finally:
            con.close()

    def run(self, dag_id: str, conf: dict | None = None) -> tuple[str, str]:
        run_id = self.client.trigger(dag_id, conf)
        self.client.unpause(dag_id)
        return run_id, self.wait(dag_id, run_id)

    def wait(self, dag_id: str, run_id: str, timeout: float = 600) -> str:
        """The run's final state, a few scheduler and triggerer loops after it ended (time for
        any e-mail it causes, and for a duplicate one, to arrive)."""
        state = self.client.wait_for_run(dag_id, run_id, timeout=timeout, poll_seconds=3)
        time.sleep(SETTLE_SECONDS)
        return state

    def tasks(self, dag_id: str, run_id: str) -> dict[str, dict]:
        return {t["task_id"]: t for t in self.client.task_instances(dag_id, run_id)}

    def mails(self, *words: str, wait: float = 5.0) -> list[Mail]:
        """The e-mails whose subject and body contain every word (waiting up to ``wait`` s for
        the first one)."""
        return self.sink.wait_for(lambda m: all(w in m.subject + m.html for w in words),
                                  timeout=wait)

    def run_url(self, dag_id: str, run_id: str) -> str:
        from urllib.parse import quote

        return f"http://localhost:{self.port}/dags/{dag_id}/runs/{quote(run_id, safe='')}"

    def trigger_ingestion(self, dag_id: str) -> tuple[str, date]:
        """A manual run of an ingestion DAG (left paused: it waits, queued) and the landing
        partition of its data interval (the day of its start)."""
        self.client.wait_for_dag(dag_id)
        run_id = self.client.trigger(dag_id, logical_date=datetime.now(UTC).isoformat())
        start = self.client.dag_run(dag_id, run_id)["data_interval_start"]
        return run_id, datetime.fromisoformat(start.replace("Z", "+00:00")).date()


@pytest.fixture(scope="module")
def platform(world, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    root = tmp_path_factory.mktemp("alerting")
    db = copy_warehouse(world.db_path, root)
    (root / "landing").mkdir()
    sink = SmtpSink().start()
    port = free_port()
    env = airflow_env(
        root, port, db, C360_LANDING=str(root / "landing"),
        AIRFLOW_CONN_SMTP_DEFAULT=sink.connection(),
        AIRFLOW_VAR_C360_ONCALL_EMAILS=ONCALL, AIRFLOW_VAR_C360_RETENTION_EMAILS=RETENTION,
        # the ingestion DAGs keep their production retries (2), seconds apart
        C360_RETRY_DELAY_SECONDS="1")
    env.pop("AIRFLOW_VAR_C360_TRANSFORM_DEADLINE_UTC", None)  # set through the API below
    try:
        with local_airflow(env, (TRANSFORM, "c360_ingest_orders")) as client:
            yield Platform(client, sink, db, root / "landing", port)
    finally:
        sink.stop()


def _freshen(p: Platform, ages: dict[str, timedelta] | None = None) -> None:
    """Shift every RAW table's ``_loaded_at`` (keeping the order of loads) so that its newest
    load is 5 minutes old, or as old as ``ages`` says."""
    from include.c360.sources import SOURCES

    now = datetime.now(UTC).replace(tzinfo=None)
    for src in SOURCES:
        newest = now - (ages or {}).get(src.name, timedelta(minutes=5))
        p.sql(f"update raw.{src.name} set _loaded_at = _loaded_at + (?::timestamp - "
              f"(select max(_loaded_at) from raw.{src.name}))", [newest], write=True)


# --------------------------------------------------------------------------- the transform


@pytest.fixture(scope="module")
def first_transform(platform: Platform) -> dict:
    """The baseline scoring; support_tickets 30 h old (warn 24 h, no error threshold); the
    publication deadline set 20 s after the run is due, which it cannot meet."""
    _freshen(platform, {"support_tickets": timedelta(hours=30)})
    deadline = datetime.now(UTC) + timedelta(seconds=20)
    platform.client.set_variable("c360_transform_deadline_utc", deadline.strftime("%H:%M:%S"))
    try:
        run_id, state = platform.run(TRANSFORM, {"as_of_date": BASELINE_AS_OF})
    finally:
        platform.client.set_variable("c360_transform_deadline_utc", "06:00")
    return {"run_id": run_id, "state": state, "deadline": deadline.replace(microsecond=0)}


def test_a_missed_deadline_sends_exactly_one_well_formed_email(platform, first_transform):
    run_id, deadline = first_transform["run_id"], first_transform["deadline"]
    assert first_transform["state"] == "success"
    mails = platform.mails("SLA missed", run_id)
    assert len(mails) == 1, [m.subject for m in mails]
    mail = mails[0]
    assert mail.recipients == [ONCALL] and mail.sender == "c360-airflow@localhost"
    when = deadline.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert mail.subject == (f"[c360] SLA missed: {TRANSFORM} (publication of the Customer 360, "
                            f"marts.fct_customer_value) not done by {when}, run {run_id}")
    body = mail.html
    for text in ("customers, orders, campaigns, support_tickets", "running", "late by",
                 f"deadline</th><td>{when} (", " s after due)",
                 platform.run_url(TRANSFORM, run_id)):
        assert text in body, text
    # the scheduler marked it missed (once); the link opens the run in the UI
    deadlines = platform.client.get(f"/ui/dags/{TRANSFORM}/dagRuns/{run_id}/deadlines")
    assert [d["missed"] for d in deadlines["deadlines"]] == [True]
    import urllib.request

    with urllib.request.urlopen(platform.run_url(TRANSFORM, run_id).replace(
            "localhost", "127.0.0.1"), timeout=10) as resp:
        assert resp.status == 200


def test_a_warn_breach_sends_one_warning_and_the_run_goes_on(platform, first_transform):
    run_id = first_transform["run_id"]
    assert first_transform["state"] == "success"
    warnings = platform.mails("Freshness WARNING", run_id)
    assert [m.subject for m in warnings] == [
        "[c360] Freshness WARNING: source support_tickets is 30.0 h old (warn after 24 h)"]
    assert warnings[0].recipients == [ONCALL]
    assert "nothing is held back" in warnings[0].html and "raw.support_tickets" in warnings[0].html
    assert platform.mails("Freshness ERROR", run_id, wait=0) == []
    assert platform.mails("Task failed", wait=0) == []


@pytest.fixture(scope="module")
def stale_transform(platform: Platform, first_transform: dict) -> dict:
    """customers 50 h old: past its error threshold (48 h)."""
    _freshen(platform, {"customers": timedelta(hours=50)})
    run_id, state = platform.run(TRANSFORM, {"as_of_date": AS_OF})
    return {"run_id": run_id, "state": state, "tasks": platform.tasks(TRANSFORM, run_id)}


def test_an_error_breach_sends_one_error_email_and_holds_the_lineage_back(platform,
                                                                         stale_transform):
    run_id, tasks = stale_transform["run_id"], stale_transform["tasks"]
    state = {t: str(v["state"]) for t, v in tasks.items()}
    assert stale_transform["state"] == "failed"
    assert state["dbt.models.staging.crm.crm_customers_source"] == "failed"
    held = [t for t in state if t.startswith(("dbt.models.staging.crm.stg_customers",
                                              "dbt.models.marts.customers", "ml_scoring.",
                                              "publish.", "retention_digest"))]
    assert held and {state[t] for t in held} == {"upstream_failed"}, state
    assert state["dbt.models.staging.oms.stg_orders.run"] == "success"  # other lineages build
    errors = platform.mails("Freshness ERROR", run_id)
    assert len(errors) == 1, [m.subject for m in errors]
    assert errors[0].subject.startswith("[c360] Freshness ERROR: source customers is 50.0 h old "
                                        "(error after 48 h)")
    body = errors[0].html
    for text in ("raw.customers", "48 h", "24 h", f"held back in run {run_id}", "stg_customers",
                 "dim_customers", "ml_scoring", "publish", "retention_digest"):
        assert text in body, text
    assert platform.mails("Task failed", run_id, wait=0) == []  # the stale source's task fails
    assert platform.mails("Retention", run_id, wait=0) == []    # nothing was scored


@pytest.fixture(scope="module")
def retention_transform(platform: Platform, stale_transform: dict) -> dict:
    """Every source fresh again: the scoring of AS_OF, compared with the baseline's."""
    _freshen(platform)
    run_id, state = platform.run(TRANSFORM, {"as_of_date": AS_OF})
    return {"run_id": run_id, "state": state}


def test_a_scoring_over_the_threshold_gives_one_digest_listing_exactly_them(
        platform, retention_transform):
    run_id = retention_transform["run_id"]
    assert retention_transform["state"] == "success"
    # who crossed: above 0.7 now, at or below it (or not scored) in the baseline scoring
    scores = platform.sql(
        "select customer_id, scored_at::date::varchar, churn_probability "
        "from ml.customer_churn_scores")
    before = {c: p for c, d, p in scores if d == BASELINE_AS_OF}
    now = {c: p for c, d, p in scores if d == AS_OF}
    crossed = {c for c, p in now.items() if p > THRESHOLD and before.get(c, 0.0) <= THRESHOLD}
    assert before and now and crossed, "the scorings put no customer newly over 0.7"
    digests = platform.mails("Retention", run_id)
    assert len(digests) == 1, [m.subject for m in digests]
    digest = digests[0]
    assert digest.recipients == [RETENTION]
    value = sum(r[0] or 0 for r in platform.sql(
        "select predicted_ltv from ml.customer_ltv_scores where scored_at::date = ? "
        "and customer_id in (select unnest(?))", [AS_OF, sorted(crossed)]))
    assert digest.subject == (f"[c360] Retention: {len(crossed)} customers newly above churn 0.7 "
                              f"(scoring of {AS_OF}), ${value:,.2f} predicted LTV at risk")
    [(name, content)] = digest.attachments().items()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert name == f"retention_alerts_{AS_OF}.csv"
    assert {r["customer_id"] for r in rows} == crossed
    for r in rows:
        assert float(r["churn_probability"]) == pytest.approx(now[r["customer_id"]])
        prev = r["previous_churn_probability"]
        assert (float(prev) if prev else None) == (
            pytest.approx(before[r["customer_id"]]) if r["customer_id"] in before else None)
    ltvs = [float(r["predicted_ltv"]) for r in rows]
    assert ltvs == sorted(ltvs, reverse=True)  # top ones first, by predicted LTV
    assert rows[0]["customer_id"] in digest.html
    # the table holds them for this scoring; the baseline scoring alerted no one
    table = platform.sql("select customer_id, scored_at::date::varchar "
                         "from alerts.fct_retention_alerts")
    assert {c for c, d in table if d == AS_OF} == crossed
    assert {d for _, d in table} == {AS_OF}


def test_a_run_finishing_in_time_sends_no_deadline_email(platform, retention_transform):
    """The same transform, due by the next 06:00: its deadline is deleted at success."""
    run_id = retention_transform["run_id"]
    assert retention_transform["state"] == "success"
    assert platform.client.get(
        f"/ui/dags/{TRANSFORM}/dagRuns/{run_id}/deadlines")["deadlines"] == []
    assert platform.mails("SLA missed", run_id, wait=0) == []


# --------------------------------------------------------------------------- ingestion


def test_an_ingestion_run_in_time_sends_no_email(platform, retention_transform):
    """The registry's deadline (customers: 1 h after it is queued) exists while the run waits
    and is deleted when it succeeds before it."""
    from include.c360.sources import source
    from tests.ingest.exports import write_export

    dag_id = "c360_ingest_customers"
    run_id, day = platform.trigger_ingestion(dag_id)
    _deliver_days_before(platform, source("customers"), day)
    write_export(_zone(platform), source("customers"), day, 3, seed=7)
    [pending] = platform.client.get(f"/ui/dags/{dag_id}/dagRuns/{run_id}/deadlines")["deadlines"]
    queued = platform.client.dag_run(dag_id, run_id)["queued_at"]
    assert _at(pending["deadline_time"]) - _at(queued) == timedelta(hours=1)
    assert pending["missed"] is False
    platform.client.unpause(dag_id)
    assert platform.wait(dag_id, run_id, timeout=300) == "success"
    assert platform.client.get(f"/ui/dags/{dag_id}/dagRuns/{run_id}/deadlines")["deadlines"] == []
    assert platform.mails(dag_id, wait=0) == []


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _zone(platform: Platform):
    from include.c360.landing import LocalLandingZone

    return LocalLandingZone(platform.landing)


def _deliver_days_before(platform: Platform, src, day: date) -> None:
    """An empty export for every day between the world's last loaded partition and ``day``
    (today's run): as a source system delivers them, so the run has no gap to fail over."""
    from include.c360.ingest.plan import file_day
    from tests.ingest.exports import write_export

    [(newest,)] = platform.sql("select max(file_key) from raw_meta.load_history "
                               "where source = ?", [src.name])
    d = file_day(newest) + timedelta(days=1)
    while d < day:
        write_export(_zone(platform), src, d, 0)
        d += timedelta(days=1)


@pytest.fixture(scope="module")
def bad_file_run(platform: Platform, retention_transform: dict) -> dict:
    """orders: a good file and one with a bad quantity in row 3, on_error=fail (default)."""
    from include.c360.sources import source
    from tests.ingest.exports import write_bad_value, write_export

    dag_id, src = "c360_ingest_orders", source("orders")
    run_id, day = platform.trigger_ingestion(dag_id)
    zone = _zone(platform)
    _deliver_days_before(platform, src, day - timedelta(days=1))
    good = write_export(zone, src, day - timedelta(days=1), 4, seed=8)
    bad = write_bad_value(zone, src, day, 5, "quantity", 3, "three", seed=9)
    platform.client.unpause(dag_id)
    state = platform.wait(dag_id, run_id, timeout=300)
    return {"dag_id": dag_id, "run_id": run_id, "state": state, "good": good, "bad": bad,
            "tasks": platform.tasks(dag_id, run_id)}


def test_a_bad_file_keeps_its_run_failed_after_all_retries_with_one_email(platform,
                                                                        bad_file_run):
    dag_id, run_id, bad = bad_file_run["dag_id"], bad_file_run["run_id"], bad_file_run["bad"]
    load = bad_file_run["tasks"]["load"]
    assert bad_file_run["state"] == "failed"
    assert (load["state"], load["try_number"]) == ("failed", 3)  # retries 2: every try failed
    mails = platform.mails(f"Task failed: {dag_id}.load", run_id)
    assert len(mails) == 1, [m.subject for m in mails]
    mail = mails[0]
    assert mail.recipients == [ONCALL] and "after 3 tries" in mail.subject
    assert f"file {bad} row 3, column &#x27;quantity&#x27;: value &#x27;three&#x27;" in mail.html
    assert "still unresolved" in mail.html  # the last try failed over the quarantined file
    assert f"/dags/{dag_id}/runs/" in mail.html and "tasks/load?try_number=3" in mail.html
    history = platform.sql("select file_key, status, error_row, error_column "
                           "from raw_meta.load_history where file_key in (?, ?) order by 1",
                           [bad, bad_file_run["good"]])
    assert sorted(history) == sorted([(bad, "FAILED", 3, "quantity"),
                                      (bad_file_run["good"], "LOADED", None, None)])
    assert (platform.landing / "_quarantine" / bad).exists()


@pytest.fixture(scope="module")
def warehouse_error_run(platform: Platform, retention_transform: dict) -> Iterator[dict]:
    """support_tickets: a good file, and a RAW table someone altered (a column dropped)."""
    from include.c360.sources import source
    from tests.ingest.exports import write_export

    dag_id, src = "c360_ingest_support_tickets", source("support_tickets")
    platform.sql("create table raw.support_tickets_kept as select * from raw.support_tickets",
                 write=True)
    platform.sql("alter table raw.support_tickets drop column satisfaction_score", write=True)
    try:
        run_id, day = platform.trigger_ingestion(dag_id)
        key = write_export(_zone(platform), src, day, 4)
        platform.client.unpause(dag_id)
        state = platform.wait(dag_id, run_id, timeout=300)
        yield {"dag_id": dag_id, "run_id": run_id, "state": state, "key": key,
               "tasks": platform.tasks(dag_id, run_id)}
    finally:  # the table as it was, for whatever runs next
        platform.sql("drop table raw.support_tickets", write=True)
        platform.sql("alter table raw.support_tickets_kept rename to support_tickets",
                     write=True)


def test_a_task_failing_after_its_retries_sends_one_email(platform, warehouse_error_run):
    dag_id, run_id = warehouse_error_run["dag_id"], warehouse_error_run["run_id"]
    load = warehouse_error_run["tasks"]["load"]
    assert warehouse_error_run["state"] == "failed"
    assert (load["state"], load["try_number"]) == ("failed", 3)
    mails = platform.mails(f"Task failed: {dag_id}.load", run_id)
    assert len(mails) == 1, [m.subject for m in mails]  # not one per try
    body = mails[0].html
    assert "WarehouseError" in mails[0].subject and "satisfaction_score" in body
    assert "tasks/load?try_number=3" in body
    assert "duckdb_loader.py" in body  # the traceback's last lines


def test_a_warehouse_error_quarantines_nothing(platform, warehouse_error_run):
    key = warehouse_error_run["key"]
    assert (platform.landing / key).exists()
    assert not (platform.landing / "_quarantine" / key).exists()
    assert platform.sql("select count(*) from raw_meta.load_history where file_key = ?",
                        [key]) == [(0,)]


def test_every_email_of_the_module_is_one_of_the_above(platform, first_transform,
                                                       stale_transform, retention_transform,
                                                       bad_file_run, warehouse_error_run):
    """No stray e-mail: one per missed deadline, breach, digest and task failing for good (not
    one per retry, per sensor of a stale lineage or per scheduler loop)."""
    kinds = sorted(m.subject.split(":")[0] for m in platform.sink.mails)
    assert kinds == sorted(["[c360] SLA missed", "[c360] Freshness WARNING",
                            "[c360] Freshness ERROR", "[c360] Retention",
                            "[c360] Task failed", "[c360] Task failed"]), kinds
