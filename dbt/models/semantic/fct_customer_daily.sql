{{
    config(
        materialized='incremental',
        unique_key='as_of_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        full_refresh=false,
    )
}}

-- The Customer 360 as of the run's date, appended day after day (a periodic snapshot): a run
-- replaces the rows of its own as_of_date only, and --full-refresh never drops the history.

with

customers as (select * from {{ ref('dim_customers') }}),

customer_value as (select * from {{ ref('fct_customer_value') }}),

final as (

    select
        -- ids
        customer_value.customer_id,

        -- dates
        {{ as_of_date() }} as as_of_date,

        -- strings
        customers.account_status,
        customers.kyc_status,
        customer_value.rfm_segment,
        customer_value.customer_segment,

        -- numerics
        customers.customer_tenure_days,
        customer_value.total_orders,
        customer_value.total_spend,
        customer_value.avg_order_value,
        customer_value.predicted_ltv,
        customer_value.churn_probability,
        customer_value.composite_score,

        -- booleans
        customers.is_active

    from customer_value
    inner join customers
        on customer_value.customer_id = customers.customer_id

)

select * from final
