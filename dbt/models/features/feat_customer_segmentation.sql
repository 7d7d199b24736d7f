{#
    KMeans input: one row per customer, every feature scaled to [0, 1] over the population of
    the run (min-max; a missing value becomes 0 unless stated). Built from the intermediate
    layer only, never from ML outputs (see the dbt README: breaking the ML cycle).
#}

with

customers as (select * from {{ ref('dim_customers') }}),

customer_rfm as (select * from {{ ref('int_customer_rfm') }}),

customer_orders as (select * from {{ ref('int_customer_orders') }}),

session_features as (select * from {{ ref('int_session_features') }}),

product_affinity as (select * from {{ ref('int_product_affinity') }}),

campaigns as (select * from {{ ref('stg_campaigns') }}),

support_tickets as (select * from {{ ref('stg_support_tickets') }}),

campaigns_aggregated_to_customers as (

    {% call aggregated_to_customers('campaigns') %}
        sum(case when channel = 'email' then 1 else 0 end) as email_sends,
        sum(case when channel = 'email' and opened_at is not null then 1 else 0 end) as email_opens,
        count(*) as sends,
        sum(case when clicked_at is not null then 1 else 0 end) as clicks
    {% endcall %}

),

tickets_aggregated_to_customers as (

    {% call aggregated_to_customers('support_tickets') %}
        count(*) as tickets,
        sum(case when {{ is_high_priority_ticket() }} then 1 else 0 end) as high_priority_tickets,
        avg(cast(satisfaction_score as double)) as avg_csat
    {% endcall %}

),

customer_inputs as (

    select
        customers.customer_id,
        customers.customer_tenure_days,
        customer_rfm.total_orders,
        customer_orders.total_order_value,
        customer_rfm.days_since_last_order,
        session_features.total_sessions,
        session_features.avg_session_duration_sec,
        session_features.pages_per_session,
        session_features.mobile_session_ratio,
        product_affinity.category_diversity_score,
        campaigns_aggregated_to_customers.email_sends,
        campaigns_aggregated_to_customers.email_opens,
        campaigns_aggregated_to_customers.sends,
        campaigns_aggregated_to_customers.clicks,
        tickets_aggregated_to_customers.tickets,
        tickets_aggregated_to_customers.high_priority_tickets,
        tickets_aggregated_to_customers.avg_csat,
        -- tickets per 30 days of tenure (tenure of at least one day)
        coalesce(tickets_aggregated_to_customers.tickets, 0) * 30.0
        / greatest(coalesce(customers.customer_tenure_days, 0), 1) as tickets_per_month
    from customers
    {{ join_on_keys('customers', [
        'customer_rfm', 'customer_orders', 'session_features', 'product_affinity',
        'campaigns_aggregated_to_customers', 'tickets_aggregated_to_customers',
    ]) }}

),

final as (

    select
        -- ids
        customer_id,

        -- numerics
        cast({{ minmax_norm('total_orders') }} as double) as frequency_norm,
        cast({{ minmax_norm('total_order_value') }} as double) as monetary_norm,
        -- 1 = ordered most recently; customers without a completed order get 0
        cast(
            case
                when days_since_last_order is null then 0.0
                else 1.0 - {{ minmax_norm('days_since_last_order') }}
            end
            as double
        ) as recency_norm,
        cast({{ minmax_norm('total_sessions') }} as double) as session_frequency_norm,
        cast({{ minmax_norm('avg_session_duration_sec') }} as double) as avg_session_dur_norm,
        cast({{ minmax_norm('pages_per_session') }} as double) as pages_per_session_norm,
        cast(coalesce(mobile_session_ratio, 0) as double) as mobile_session_ratio,
        cast(coalesce(category_diversity_score, 0) as double) as category_diversity_norm,
        cast(coalesce(cast(email_opens as double) / nullif(email_sends, 0), 0) as double)
            as email_open_rate,
        cast(coalesce(cast(clicks as double) / nullif(sends, 0), 0) as double) as click_through_rate,
        cast({{ minmax_norm('tickets_per_month') }} as double) as support_ticket_rate_norm,
        cast(coalesce(cast(high_priority_tickets as double) / nullif(tickets, 0), 0) as double)
            as high_priority_ticket_ratio,
        -- CSAT 1..5 scaled to 0..1; customers without a rated ticket get the neutral 0.5
        cast(coalesce((avg_csat - 1) / 4, 0.5) as double) as avg_csat_norm,
        cast({{ minmax_norm('customer_tenure_days') }} as double) as tenure_norm,

        -- dates
        {{ as_of_date() }} as feature_date

    from customer_inputs

)

select * from final
