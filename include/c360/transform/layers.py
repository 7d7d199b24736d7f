"""How the dbt project is cut into the transform DAG's steps: one layer per dbt folder (the
``local`` mode's task groups), the publish step after ML scoring, and the ``watcher`` mode's
one build of every layer but the publication."""

from __future__ import annotations

from dataclasses import dataclass

# the models built from the score tables, after ML scoring (the publish step): the Customer
# 360, the retention alerts, the snapshot of the scored attributes they publish and the
# Customer 360 by day of the semantic layer
AFTER_SCORING = ("fct_customer_value", "fct_retention_alerts", "snap_customer_segments",
                 "fct_customer_daily")
# the semantic layer's time spine (no parents) builds with the marts
TIME_SPINE = "path:models/semantic/metricflow_time_spine.sql"


@dataclass(frozen=True)
class Layer:
    group_id: str
    select: tuple[str, ...]
    tooltip: str
    exclude: tuple[str, ...] = ()


LAYERS: tuple[Layer, ...] = (
    Layer("staging", ("path:models/staging", "path:seeds"),
          "Views: clean, dedupe, standardise; reference seeds (dbt)"),
    Layer("intermediate", ("path:models/intermediate",),
          "Ephemeral per-customer aggregations and fraud signals (compiled into the marts)"),
    Layer("marts", ("path:models/marts", TIME_SPINE),
          "Tables for BI (fct_customer_value: see publish)",
          exclude=AFTER_SCORING),
    Layer("features", ("path:models/features",), "ML feature tables"),
    Layer("snapshot", ("path:snapshots",), "SCD2 history of the customer profile",
          exclude=AFTER_SCORING),
    Layer("publish", AFTER_SCORING,
          "fct_customer_value with the ML scores, the retention alerts, the history of the "
          "scored segments and the Customer 360 by day (after ml_scoring)"),
)
LOCAL_LAYERS, PUBLISH = LAYERS[:-1], LAYERS[-1]
# watcher: one dbt build of every layer but the publication (and the tests of
# fct_customer_value, e.g. its relationships to dim_customers: they run with it in publish)
WATCHER_BUILD = Layer("dbt", ("path:seeds", "path:models", "path:snapshots"),
                      "One dbt build of every layer; a task group per dbt folder",
                      exclude=tuple(f"{m}+" for m in AFTER_SCORING))
