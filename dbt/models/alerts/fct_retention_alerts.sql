{{
    config(
        materialized='incremental',
        unique_key=['customer_id', 'scored_at'],
        incremental_strategy=c360_incremental_strategy(),
        on_schema_change='fail',
    )
}}

{#-
    The retention-alert rule, defined here only (dbt/README.md): a customer is alerted in a
    scoring when their churn probability is above var('churn_alert_threshold') and was not in
    the scoring run before it (at or below it, or not scored then). Built after ML scoring
    (the transform DAG's publish step); each build adds the scorings it has not seen.
-#}

{%- set threshold = var('churn_alert_threshold') -%}

with

churn_scores as (

    select * from {{ ref('stg_ml_customer_churn_scores') }}

),

segments as (

    select * from {{ ref('stg_ml_customer_segments') }}

),

ltv_scores as (

    select * from {{ ref('stg_ml_customer_ltv_scores') }}

),

scoring_runs as (

    select distinct scored_at from churn_scores

),

scorings_with_previous as (

    select
        scored_at,
        lag(scored_at) over (order by scored_at) as previous_scored_at
    from scoring_runs

),

scorings_to_compare as (

    -- the first scoring ever is the baseline: there is nothing to cross from
    select * from scorings_with_previous
    where
        previous_scored_at is not null
        {% if is_incremental() %}
            and scored_at > (
                select coalesce(max(scored_at), cast('1900-01-01 00:00:00' as timestamp))
                from {{ this }}
            )
        {% endif %}

),

crossings as (

    select
        current_scores.customer_id,
        current_scores.churn_probability,
        previous_scores.churn_probability as previous_churn_probability,
        scorings_to_compare.scored_at
    from scorings_to_compare
    inner join churn_scores as current_scores
        on scorings_to_compare.scored_at = current_scores.scored_at
    left join churn_scores as previous_scores
        on
            current_scores.customer_id = previous_scores.customer_id
            and scorings_to_compare.previous_scored_at = previous_scores.scored_at
    where
        current_scores.churn_probability > {{ threshold }}
        and (
            previous_scores.churn_probability is null
            or previous_scores.churn_probability <= {{ threshold }}
        )

),

final as (

    select
        -- ids
        crossings.customer_id,

        -- strings
        segments.customer_segment,

        -- numerics
        crossings.churn_probability,
        crossings.previous_churn_probability,
        cast({{ threshold }} as double) as alert_threshold,
        ltv_scores.predicted_ltv,

        -- timestamps
        crossings.scored_at,
        {{ run_started_at_timestamp() }} as detected_at

    from crossings
    {{ join_on_keys('crossings', ['segments', 'ltv_scores'], keys=['customer_id', 'scored_at']) }}

)

select * from final
