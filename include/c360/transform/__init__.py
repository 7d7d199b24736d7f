"""The transform DAG's building blocks: dbt rendered by Cosmos, freshness gates, publication.

``dags/c360_transform.py`` only declares the DAG; everything it needs lives here (README.md).
"""
