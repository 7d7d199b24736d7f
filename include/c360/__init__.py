"""Customer 360 platform: shared code for the DAGs, the generator, ingestion and scoring.

Nothing here imports heavy libraries at module level, so DAG files that import the
registry stay fast to parse.
"""
