"""Alerting: who gets which e-mail, sent through the smtp provider (``smtp_default``).

* ``deadlines``  Deadline Alerts of the ingestion DAGs (from the source registry) and of the
  transform (its publication deadline, Variable ``c360_transform_deadline_utc``);
* ``notifiers``  ``SmtpNotifier`` subclasses: task failures (``on_failure_callback``), missed
  deadlines (``AsyncCallback`` in the triggerer), freshness breaches and the retention digest;
* ``messages``   what each e-mail says (subject and HTML body), pure functions;
* ``retention``  the retention digest task of the transform DAG;
* ``config``     Variables (recipients, sender, transform deadline) and the UI's base URL.

README.md, section "Alerting", tells what sends which e-mail to whom and how to configure it.
"""
