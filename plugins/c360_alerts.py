"""Registers the transform's Deadline Alert reference with Airflow (scheduler, API server, DAG
processor): a custom ``BaseDeadlineReference`` is only deserialised from a plugin's
``deadline_references``. The class itself lives in ``include/c360/alerts/deadlines.py``."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from include.c360.alerts.deadlines import PublicationDeadline


class C360AlertsPlugin(AirflowPlugin):
    name = "c360_alerts"
    deadline_references = [PublicationDeadline]
