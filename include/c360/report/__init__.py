"""What the Customer 360's consumers receive after each publication: the executive KPI
scorecard (``scorecard``: a static HTML page whose figures are the semantic layer's metrics)
and the compliance team's high-risk transaction export (``export``), both written to the
landing zone (local folder or S3). ``taskgroup.consumer_tasks`` wires them into the transform
DAG; ``python -m include.c360.report`` runs them by hand.

Nothing heavy is imported here (DAG parse time).
"""
