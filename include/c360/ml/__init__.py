"""ML scoring of the Customer 360: segments, fraud risk, churn probability and 12-month LTV.

It reads and writes the warehouse through ``include/c360/warehouse`` (DataFrames in bulk, a
run's rows replaced in one transaction).

Modules (all heavy imports happen inside functions, so DAG files may import ``tasks``):

``config``     MLConfig: seeds, horizons, k range, flag rate, where models are saved.
``contract``   the score tables' columns and types, read from dbt's ``ml`` source YAML.
``features``   the feature tables dbt builds: the two model inputs, and the point-in-time
               features and labels of the churn and LTV snapshots (feat_customer_history).
``models``     the four scikit-learn pipelines and the segment naming rules.
``registry``   model artifacts (joblib + metadata) and the ml.model_registry / ml.model_metrics
               tables.
``jobs``       the one job every model task runs (read, fit, fingerprint, register, score,
               write) and the score-table writes.
``tasks``      the four models' jobs and the task callables the transform DAG calls after the
               feature models.
``taskgroup``  an Airflow TaskGroup factory wrapping the task callables.
"""
