"""The transform DAG's building blocks: dbt rendered by Cosmos, freshness gates, publication.

``dags/c360_transform.py`` only declares the DAG; what it is made of lives here, a module per
question (README.md): ``dag`` (the assembly), ``config`` (settings, Params), ``schedule``
(when, and by when), ``layers`` (how dbt is cut into steps), ``manifest`` (the dbt manifest),
``dbt_groups`` (dbt nodes as Cosmos tasks), ``watcher_mode`` / ``local_mode`` (the two
execution modes), ``wiring`` (how the groups fit together), ``freshness``, ``watcher`` (sensors
in the triggerer) and ``profiles`` (dbt profiles from Airflow connections).
"""
