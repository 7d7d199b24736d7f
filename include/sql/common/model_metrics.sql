-- The ML models' registered metrics (holdout and baseline) of every version registered by a
-- scoring run on or before {{ as_of }}; the report keeps each model's latest version.
select
    registry.model_name,
    registry.model_version,
    registry.run_as_of,
    registry.registered_at,
    metrics.metric,
    metrics.value
from {{ ml }}.model_registry as registry
inner join {{ ml }}.model_metrics as metrics
    on registry.model_version = metrics.model_version
where registry.run_as_of <= {{ as_of }}
order by registry.model_name, registry.run_as_of, registry.registered_at, metrics.metric
