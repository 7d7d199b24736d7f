-- Point-in-time features of every customer as of the end of day {as_of_date}.
-- Only rows whose event time is on or before that day enter a feature: dates <= {as_of_date},
-- timestamps < {cutoff_ts} (= the next midnight). Values that the sources update later are
-- read as they stood at the cutoff: a ticket resolved after it counts as open and its CSAT is
-- ignored; a campaign opened/clicked after it counts as not opened/clicked; a conversion
-- (known only 7 days after the send) counts only for sends before {conversion_cutoff_ts}.
-- Money sums are rounded to cents: a parallel float sum is not bit-for-bit reproducible, and
-- the model version is a hash of these values.
-- Limitation: stg_orders keeps the latest order_status, so an order returned after the cutoff
-- is already not 'completed' here (the sources keep no status history).
-- One file for both dialects: datediff's unit is a placeholder (quoted in DuckDB, a keyword in
-- Snowflake), include/c360/ml/sql.py fills it.

with

customers as (

    select customer_id, signup_date
    from {staging}.stg_customers
    where signup_date <= {as_of_date}

),

orders as (

    select customer_id, order_date, order_status, total_amount
    from {staging}.stg_orders
    where order_date <= {as_of_date}

),

events as (

    select customer_id, session_id, event_timestamp, device_type
    from {staging}.stg_events
    where customer_id is not null and event_timestamp < {cutoff_ts}

),

transactions as (

    select customer_id, transaction_date, amount, transaction_type, status
    from {staging}.stg_transactions
    where transaction_date < {cutoff_ts} and transaction_date >= {ts_since_365d}

),

campaigns as (

    select customer_id, sent_at, opened_at, clicked_at, converted
    from {staging}.stg_campaigns
    where sent_at < {cutoff_ts} and sent_at >= {ts_since_90d}

),

tickets as (

    select customer_id, created_at, resolved_at, priority, satisfaction_score
    from {staging}.stg_support_tickets
    where created_at < {cutoff_ts}

),

orders_aggregated_to_customers as (

    select
        customer_id,
        sum(case when order_status = 'completed' then 1 else 0 end) as completed_orders,
        sum(case when order_status = 'completed' and order_date > {since_30d} then 1 else 0 end)
            as completed_orders_30d,
        sum(case when order_status = 'completed' and order_date > {since_90d} then 1 else 0 end)
            as completed_orders_90d,
        sum(case when order_status = 'completed' and order_date > {since_365d} then 1 else 0 end)
            as completed_orders_365d,
        round(sum(case when order_status = 'completed' then total_amount else 0 end), 2)
            as spend_total,
        round(sum(case when order_status = 'completed' and order_date > {since_90d}
            then total_amount else 0 end), 2) as spend_90d,
        round(sum(case when order_status = 'completed' and order_date > {since_365d}
            then total_amount else 0 end), 2) as spend_365d,
        sum(case when order_status in ('cancelled', 'returned') then 1 else 0 end)
            as cancelled_or_returned_orders,
        count(*) as all_orders,
        min(case when order_status = 'completed' then order_date end) as first_order_date,
        max(case when order_status = 'completed' then order_date end) as last_order_date
    from orders
    group by customer_id

),

sessions as (

    select
        customer_id,
        session_id,
        min(event_timestamp) as started_at,
        max(event_timestamp) as ended_at,
        count(*) as session_events,
        max(case when device_type = 'mobile' then 1 else 0 end) as is_mobile
    from events
    group by customer_id, session_id

),

events_aggregated_to_customers as (

    select
        customer_id,
        count(*) as sessions_total,
        sum(case when started_at >= {ts_since_30d} then 1 else 0 end) as sessions_30d,
        sum(case when started_at >= {ts_since_90d} then 1 else 0 end) as sessions_90d,
        sum(case when started_at >= {ts_since_90d} then session_events else 0 end)
            as events_90d,
        count(distinct case when started_at >= {ts_since_90d}
            then cast(started_at as date) end) as active_days_90d,
        avg(is_mobile * 1.0) as mobile_session_ratio,
        avg(case when started_at >= {ts_since_90d}
            then datediff({unit_second}, started_at, ended_at) end) as avg_session_seconds_90d,
        avg(case when started_at < {ts_since_90d} and started_at >= {ts_since_365d}
            then datediff({unit_second}, started_at, ended_at) end) as avg_session_seconds_prior,
        min(started_at) as first_session_at,
        max(ended_at) as last_event_at
    from sessions
    group by customer_id

),

transactions_aggregated_to_customers as (

    select
        customer_id,
        count(*) as txn_attempts_365d,
        sum(case when transaction_date >= {ts_since_90d} then 1 else 0 end) as txn_attempts_90d,
        sum(case when status = 'failed' then 1 else 0 end) as failed_txn_365d,
        sum(case when transaction_type = 'refund' then 1 else 0 end) as refunds_365d,
        round(sum(case when transaction_type = 'purchase' and status = 'success'
            then amount else 0 end), 2) as purchase_amount_365d
    from transactions
    group by customer_id

),

campaigns_aggregated_to_customers as (

    select
        customer_id,
        count(*) as sends_90d,
        sum(case when opened_at < {cutoff_ts} then 1 else 0 end) as opens_90d,
        sum(case when clicked_at < {cutoff_ts} then 1 else 0 end) as clicks_90d,
        sum(case when converted and sent_at < {conversion_cutoff_ts} then 1 else 0 end)
            as conversions_90d
    from campaigns
    group by customer_id

),

tickets_aggregated_to_customers as (

    select
        customer_id,
        sum(case when created_at >= {ts_since_90d} then 1 else 0 end) as tickets_90d,
        sum(case when created_at >= {ts_since_90d} and priority in ('high', 'critical')
            then 1 else 0 end) as high_priority_tickets_90d,
        sum(case when resolved_at is null or resolved_at >= {cutoff_ts} then 1 else 0 end)
            as open_tickets,
        avg(case when resolved_at < {cutoff_ts} and created_at >= {ts_since_365d}
            then cast(satisfaction_score as double) end) as avg_csat_365d
    from tickets
    group by customer_id

),

joined as (

    select
        customers.customer_id,
        datediff({unit_day}, customers.signup_date, {as_of_date}) as tenure_days,
        coalesce(o.completed_orders, 0) as completed_orders,
        coalesce(o.completed_orders_30d, 0) as completed_orders_30d,
        coalesce(o.completed_orders_90d, 0) as completed_orders_90d,
        coalesce(o.completed_orders_365d, 0) as completed_orders_365d,
        coalesce(o.spend_total, 0) as spend_total,
        coalesce(o.spend_90d, 0) as spend_90d,
        coalesce(o.spend_365d, 0) as spend_365d,
        coalesce(o.cancelled_or_returned_orders, 0) * 1.0 / greatest(coalesce(o.all_orders, 0), 1)
            as cancel_return_ratio,
        datediff({unit_day}, o.last_order_date, {as_of_date}) as days_since_last_order,
        coalesce(e.sessions_total, 0) as sessions_total,
        coalesce(e.sessions_30d, 0) as sessions_30d,
        coalesce(e.sessions_90d, 0) as sessions_90d,
        coalesce(e.events_90d, 0) as events_90d,
        coalesce(e.active_days_90d, 0) as active_days_90d,
        e.mobile_session_ratio,
        e.avg_session_seconds_90d,
        e.avg_session_seconds_prior,
        datediff({unit_day}, cast(e.last_event_at as date), {as_of_date}) as days_since_last_session,
        -- mean gaps between completed orders / between sessions (null below two of them)
        case when o.completed_orders > 1
            then datediff({unit_day}, o.first_order_date, o.last_order_date) * 1.0
                / (o.completed_orders - 1)
        end as avg_order_gap_days,
        case when e.sessions_total > 1
            then datediff({unit_day}, cast(e.first_session_at as date), cast(e.last_event_at as date))
                * 1.0 / (e.sessions_total - 1)
        end as avg_session_gap_days,
        coalesce(t.txn_attempts_365d, 0) as txn_attempts_365d,
        coalesce(t.txn_attempts_90d, 0) as txn_attempts_90d,
        coalesce(t.failed_txn_365d, 0) * 1.0 / greatest(coalesce(t.txn_attempts_365d, 0), 1)
            as failed_txn_ratio_365d,
        coalesce(t.refunds_365d, 0) as refunds_365d,
        coalesce(t.purchase_amount_365d, 0) as purchase_amount_365d,
        coalesce(c.sends_90d, 0) as sends_90d,
        coalesce(c.opens_90d, 0) * 1.0 / greatest(coalesce(c.sends_90d, 0), 1) as open_rate_90d,
        coalesce(c.clicks_90d, 0) * 1.0 / greatest(coalesce(c.sends_90d, 0), 1) as click_rate_90d,
        coalesce(c.conversions_90d, 0) as conversions_90d,
        coalesce(k.tickets_90d, 0) as tickets_90d,
        coalesce(k.high_priority_tickets_90d, 0) as high_priority_tickets_90d,
        coalesce(k.open_tickets, 0) as open_tickets,
        k.avg_csat_365d
    from customers
    left join orders_aggregated_to_customers as o
        on customers.customer_id = o.customer_id
    left join events_aggregated_to_customers as e
        on customers.customer_id = e.customer_id
    left join transactions_aggregated_to_customers as t
        on customers.customer_id = t.customer_id
    left join campaigns_aggregated_to_customers as c
        on customers.customer_id = c.customer_id
    left join tickets_aggregated_to_customers as k
        on customers.customer_id = k.customer_id

),

final as (

    select
        *,
        -- digital or purchase recency, whichever is more recent (null: neither ever happened)
        case
            when days_since_last_order is null then days_since_last_session
            when days_since_last_session is null then days_since_last_order
            when days_since_last_order < days_since_last_session then days_since_last_order
            else days_since_last_session
        end as days_since_last_activity,
        -- how overdue the next order / session is against the customer's own rhythm
        days_since_last_order / nullif(avg_order_gap_days, 0) as order_overdue_ratio,
        days_since_last_session / nullif(avg_session_gap_days, 0) as session_overdue_ratio,
        -- recent activity against the longer window's pace (1 = steady, < 1 = fading)
        sessions_30d * 3.0 / nullif(sessions_90d, 0) as session_trend_30_90,
        completed_orders_90d * 4.0 / nullif(completed_orders_365d, 0) as order_trend_90_365
    from joined

)

select * from final
order by customer_id
