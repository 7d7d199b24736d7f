{#
    Each customer's scores from the latest scoring run (on or before var as_of_date) of each
    table that ML scoring writes in schema `ml` (contract: the `ml` source,
    models/staging/ml/_ml__sources.yml). A customer that run did not score has no score: churn
    scores the active customers only, so a customer whose account is no longer active has no
    churn probability (not an old one). Empty until scoring has run.
#}

{#- ephemeral whatever C360_PROMOTE_INTERMEDIATES says: built into fct_customer_value after scoring -#}
{{ config(materialized='ephemeral') }}

{%- set scored_by = as_of_date() -%}

with

segments as (select * from {{ source('ml', 'customer_segments') }}),

churn_scores as (select * from {{ source('ml', 'customer_churn_scores') }}),

ltv_scores as (select * from {{ source('ml', 'customer_ltv_scores') }}),

customers as (select * from {{ ref('stg_customers') }}),

-- each table's rows of its latest scoring run on or before the run date
latest_segment as ({{ latest_scoring_run('segments', ['customer_segment'], scored_by) }}),

latest_churn as ({{ latest_scoring_run('churn_scores', ['churn_probability'], scored_by) }}),

latest_ltv as ({{ latest_scoring_run('ltv_scores', ['predicted_ltv'], scored_by) }}),

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
    {{ join_on_keys('customers', ['latest_ltv', 'latest_churn', 'latest_segment']) }}

)

select * from final
