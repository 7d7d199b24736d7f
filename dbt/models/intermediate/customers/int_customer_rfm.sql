{#
    The customer-level base metrics and RFM scores, without any ML output. Both the published
    fct_customer_value (which adds the ML score columns) and the feature models read this model,
    so the features never depend on what scoring wrote: that breaks the dbt <-> ML cycle.
#}

with

customers as (select * from {{ ref('stg_customers') }}),

customer_orders as (select * from {{ ref('int_customer_orders') }}),

customer_transactions as (select * from {{ ref('int_customer_transactions') }}),

session_features as (select * from {{ ref('int_session_features') }}),

base_metrics as (

    select
        customers.customer_id,
        customer_orders.total_orders,
        customer_orders.total_order_value,
        customer_transactions.total_spend,
        customer_orders.avg_order_value,
        customer_orders.days_since_last_order,
        customer_orders.cancellation_rate,
        session_features.total_sessions
    from customers
    {{ join_on_keys('customers', ['customer_orders', 'customer_transactions', 'session_features']) }}

),

ranked as (

    -- quintile scores among customers with at least one completed order: percent_rank keeps
    -- ties together (same value, same score), 5 = best (most recent / most orders / most spend)
    select
        customer_id,
        percent_rank() over (order by days_since_last_order desc) as recency_rank,
        percent_rank() over (order by total_orders asc) as frequency_rank,
        percent_rank() over (order by total_order_value asc) as monetary_rank
    from base_metrics
    where total_orders > 0

),

scored as (

    select
        base_metrics.customer_id,
        base_metrics.total_orders,
        base_metrics.total_spend,
        base_metrics.avg_order_value,
        base_metrics.days_since_last_order,
        base_metrics.total_sessions,
        base_metrics.cancellation_rate,
        -- customers without a completed order score 1 on every dimension
        case
            when ranked.customer_id is null then 1
            else least(5, 1 + floor(ranked.recency_rank * 5))
        end as recency_score,
        case
            when ranked.customer_id is null then 1
            else least(5, 1 + floor(ranked.frequency_rank * 5))
        end as frequency_score,
        case
            when ranked.customer_id is null then 1
            else least(5, 1 + floor(ranked.monetary_rank * 5))
        end as monetary_score
    from base_metrics
    left join ranked
        on base_metrics.customer_id = ranked.customer_id

),

final as (

    select
        -- ids
        customer_id,

        -- numerics
        cast(total_orders as bigint) as total_orders,
        cast(total_spend as double) as total_spend,
        cast(avg_order_value as double) as avg_order_value,
        cast(days_since_last_order as bigint) as days_since_last_order,
        cast(total_sessions as bigint) as total_sessions,
        cast(cancellation_rate as double) as cancellation_rate,
        cast(recency_score as bigint) as recency_score,
        cast(frequency_score as bigint) as frequency_score,
        cast(monetary_score as bigint) as monetary_score,

        -- strings
        cast({{ rfm_segment('recency_score', 'frequency_score', 'monetary_score', 'total_orders') }} as varchar)
            as rfm_segment

    from scored

)

select * from final
