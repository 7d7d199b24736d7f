{#
    Each customer's scores from the latest scoring run (on or before var as_of_date) of each
    table that ML scoring writes in schema `ml` (contract: the `ml` source,
    models/staging/ml/_ml__sources.yml). A customer that run did not score has no score: churn
    scores the active customers only, so a customer whose account is no longer active has no
    churn probability (not an old one). Empty until scoring has run.
#}

{%- set scored_by = as_of_date() -%}

with

segments as (select * from {{ source('ml', 'customer_segments') }}),

churn_scores as (select * from {{ source('ml', 'customer_churn_scores') }}),

ltv_scores as (select * from {{ source('ml', 'customer_ltv_scores') }}),

customers as (select * from {{ ref('stg_customers') }}),

segments_run as (

    -- the latest scoring run on or before the run date
    select max(scored_at) as scored_at
    from segments
    where cast(scored_at as date) <= {{ scored_by }}

),

latest_segment as (

    select
        segments.customer_id,
        segments.customer_segment
    from segments
    inner join segments_run
        on segments.scored_at = segments_run.scored_at

),

churn_scores_run as (

    -- the latest scoring run on or before the run date
    select max(scored_at) as scored_at
    from churn_scores
    where cast(scored_at as date) <= {{ scored_by }}

),

latest_churn as (

    select
        churn_scores.customer_id,
        churn_scores.churn_probability
    from churn_scores
    inner join churn_scores_run
        on churn_scores.scored_at = churn_scores_run.scored_at

),

ltv_scores_run as (

    -- the latest scoring run on or before the run date
    select max(scored_at) as scored_at
    from ltv_scores
    where cast(scored_at as date) <= {{ scored_by }}

),

latest_ltv as (

    select
        ltv_scores.customer_id,
        ltv_scores.predicted_ltv
    from ltv_scores
    inner join ltv_scores_run
        on ltv_scores.scored_at = ltv_scores_run.scored_at

),

final as (

    select
        -- ids
        customers.customer_id,

        -- numerics
        cast(latest_ltv.predicted_ltv as double) as predicted_ltv,
        cast(latest_churn.churn_probability as double) as churn_probability,

        -- strings
        cast(latest_segment.customer_segment as varchar) as customer_segment

    from customers
    left join latest_ltv
        on customers.customer_id = latest_ltv.customer_id
    left join latest_churn
        on customers.customer_id = latest_churn.customer_id
    left join latest_segment
        on customers.customer_id = latest_segment.customer_id

)

select * from final
