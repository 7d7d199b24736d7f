"""The callables of the transform DAG's ``consumers`` tasks (after the publication)."""

from __future__ import annotations

from typing import Any


def kpi_scorecard(as_of: str, **context: Any) -> dict[str, Any]:
    """Write the executive KPI scorecard of the run's date; its paths and KPIs (XCom)."""
    from include.c360.ml.jobs import parse_as_of
    from include.c360.report.scorecard import publish

    return publish(parse_as_of(as_of))


def compliance_export(as_of: str, **context: Any) -> dict[str, Any]:
    """Write the high-risk transaction export files of the run's date (and its lookback)."""
    from include.c360.ml.jobs import parse_as_of
    from include.c360.report.export import export_high_risk

    return export_high_risk(parse_as_of(as_of))


TASKS = (("kpi_scorecard", kpi_scorecard), ("compliance_export", compliance_export))
