"""The platform's alert e-mails, as subclasses of the smtp provider's ``SmtpNotifier``.

Each notifier writes its message from the Airflow context (``messages.py``), addresses it from
a Variable (``config.py``) and sends it through ``smtp_default``:

* ``TaskFailureNotifier``  every task's ``on_failure_callback`` (DEFAULT_ARGS): Airflow calls
  it once, when a task fails for good (``on_retry_callback`` would be the retries: none);
* ``DeadlineMissedNotifier``  the ``AsyncCallback`` of every Deadline Alert: the scheduler
  queues it once per missed deadline, the triggerer awaits it (``async_notify``);
* ``FreshnessBreachNotifier`` and ``RetentionDigestNotifier``: sent by tasks (``notify``).

A failed send never fails a task or the pipeline: it is logged once, as one ERROR line naming
the kind of alert, the recipients, the connection and the reason, and ``notify`` returns False.
"""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime
from typing import Any

from airflow.providers.smtp.notifications.smtp import SmtpNotifier

from include.c360.alerts import config, messages
from include.c360.alerts.messages import Message
from include.c360.constants import SMTP_CONN_ID

log = logging.getLogger(__name__)


class AlertNotifier(SmtpNotifier):
    """An ``SmtpNotifier`` that composes its own message and logs (never raises) a failed send."""

    kind = "alert"
    recipients_variable = config.ONCALL_EMAILS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(to=[], smtp_conn_id=SMTP_CONN_ID, **kwargs)

    def compose(self, context: Any) -> Message | None:
        """The message for this context, or None when there is nothing to send."""
        raise NotImplementedError

    def _address(self, message: Message, to: list[str], sender: str | None) -> bool:
        if not to:
            log.error("%s e-mail not sent: no recipients (Airflow Variable %s is empty or "
                      "unset); subject: %s", self.kind, self.recipients_variable, message.subject)
            return False
        self.to, self.from_email = to, sender
        self.subject, self.html_content = message.subject, message.html
        self.files = list(message.files) or None
        return True

    def _clear(self) -> None:
        """One notifier serves every task of a DAG (default_args): forget the last message, so
        Airflow's template rendering before the next call never sees its text."""
        self.to, self.from_email, self.subject, self.html_content, self.files = (
            [], None, None, None, None)

    def _failed(self, message: Message, error: BaseException) -> bool:
        log.error("%s e-mail NOT sent to %s through connection %s: %s: %s; subject: %s",
                  self.kind, ", ".join(self.to), self.smtp_conn_id, type(error).__name__,
                  error, message.subject)
        return False

    def _sent(self, message: Message) -> bool:
        log.info("%s e-mail sent to %s: %s", self.kind, ", ".join(self.to), message.subject)
        return True

    def notify(self, context: Any) -> bool:  # type: ignore[override]
        message = self.compose(context)
        if message is None:
            return False
        try:
            if not self._address(message, config.recipients(self.recipients_variable),
                                 config.sender()):
                return False
            super().notify(context)
            return self._sent(message)
        except Exception as e:  # an alert must never take the pipeline down
            return self._failed(message, e)
        finally:
            self._clear()

    async def async_notify(self, context: Any) -> bool:  # type: ignore[override]
        """The triggerer's path (Deadline Alerts): Variables are read off its event loop."""
        from asgiref.sync import sync_to_async

        message = self.compose(context)
        if message is None:
            return False
        try:
            to = await sync_to_async(config.recipients)(self.recipients_variable)
            if not self._address(message, to, await sync_to_async(config.sender)()):
                return False
            await super().async_notify(context)
            return self._sent(message)
        except Exception as e:  # an alert must never take the pipeline down
            return self._failed(message, e)
        finally:
            self._clear()


class TaskFailureNotifier(AlertNotifier):
    """``on_failure_callback`` of every task: the error's last lines and the log link.

    An exception with ``alerted = True`` (a freshness error: its own e-mail went out) is not
    mailed again.
    """

    kind = "task failure"

    def compose(self, context: Any) -> Message | None:
        error = context.get("exception")
        if getattr(error, "alerted", False):
            log.info("no task-failure e-mail: %s already sent its own alert",
                     type(error).__name__)
            return None
        ti = context["ti"]
        if isinstance(error, BaseException):
            lines = "".join(traceback.format_exception(error)).rstrip().splitlines()
            text = f"{type(error).__name__}: {error}"
        else:
            text = str(error or "the task failed (no exception: killed or timed out?)")
            lines = text.splitlines()
        return messages.task_failed(
            dag_id=ti.dag_id, task_id=ti.task_id, run_id=ti.run_id,
            tries=getattr(ti, "try_number", None), error=text, traceback_lines=lines,
            log_url=getattr(ti, "log_url", None) or config.run_url(ti.dag_id, ti.run_id))


class DeadlineMissedNotifier(AlertNotifier):
    """The ``AsyncCallback`` of a Deadline Alert (``deadlines.py``): one e-mail per missed
    deadline, awaited by the triggerer with the scheduler's context (``dag_run`` as the REST
    API's JSON, ``deadline`` with its ``deadline_time``)."""

    kind = "missed deadline"

    def __init__(self, what: str = "", sources: str = "", **kwargs: Any) -> None:
        self.what, self.sources = what, sources
        super().__init__(**kwargs)

    def compose(self, context: Any) -> Message | None:
        run = context.get("dag_run") or {}
        deadline = (context.get("deadline") or {}).get("deadline_time")
        dag_id, run_id = run.get("dag_id", "?"), run.get("dag_run_id", "?")
        return messages.deadline_missed(
            dag_id=dag_id, run_id=run_id, state=str(run.get("state") or "unknown"),
            what=self.what, sources=self.sources,
            due=run.get("run_after") or run.get("queued_at"), deadline=deadline,
            now=datetime.now(UTC), url=config.run_url(dag_id, run_id))


class FreshnessBreachNotifier(AlertNotifier):
    """A source past its freshness threshold; built with the breach's fields."""

    kind = "freshness breach"

    def __init__(self, breach: dict[str, Any], **kwargs: Any) -> None:
        self.breach = breach
        super().__init__(**kwargs)

    def compose(self, context: Any) -> Message | None:
        dag_id = getattr(context.get("dag"), "dag_id", None) or "?"
        run_id = str(context.get("run_id") or "?")
        fields = {k: self.breach.get(k) for k in (
            "source", "dbt_source", "status", "relation", "max_loaded_at", "age_hours",
            "warn_after_hours", "error_after_hours", "checked_at")}
        return messages.freshness_breach(
            **fields, held_back=self.breach.get("held_back") or (),
            never_delivered=self.breach.get("never_delivered") or (), dag_id=dag_id,
            run_id=run_id, url=config.run_url(dag_id, run_id))


class RetentionDigestNotifier(AlertNotifier):
    """The retention digest; the message is built by the digest task (``retention.py``)."""

    kind = "retention digest"
    recipients_variable = config.RETENTION_EMAILS

    def __init__(self, message: Message, **kwargs: Any) -> None:
        self.message = message
        super().__init__(**kwargs)

    def compose(self, context: Any) -> Message | None:
        return self.message
