{%- set window_days = var('attribution_window_days') %}

with

campaigns as (select * from {{ ref('stg_campaigns') }}),

orders as (select * from {{ ref('fct_orders') }}),

completed_orders as (

    select
        customer_id,
        order_date,
        total_amount
    from orders
    where {{ is_completed_order() }}

),

attributed_orders as (

    -- a send is credited with every completed order the customer placed from the send's date
    -- up to {{ window_days }} days after it (orders carry a date, not a time). Overlapping sends
    -- are each credited in full (no de-duplication across campaigns).
    select
        campaigns.campaign_id,
        sum(completed_orders.total_amount) as revenue_attributed
    from campaigns
    inner join completed_orders
        on
            campaigns.customer_id = completed_orders.customer_id
            and completed_orders.order_date >= cast(campaigns.sent_at as date)
            and completed_orders.order_date
            <= {{ dbt.dateadd('day', window_days, 'cast(campaigns.sent_at as date)') }}
    group by campaigns.campaign_id

),

final as (

    select
        -- ids
        campaigns.campaign_id,
        campaigns.customer_id,

        -- strings
        campaigns.campaign_name,
        campaigns.channel,

        -- timestamps
        campaigns.sent_at,

        -- booleans
        campaigns.opened_at is not null as opened,
        campaigns.clicked_at is not null as clicked,
        -- the marketing platform's own conversion flag (a purchase within 7 days of the send,
        -- whatever its later status); revenue_attributed counts completed orders only
        campaigns.converted,

        -- numerics
        cast(coalesce(attributed_orders.revenue_attributed, 0) as double) as revenue_attributed

    from campaigns
    left join attributed_orders
        on campaigns.campaign_id = attributed_orders.campaign_id

)

select * from final
