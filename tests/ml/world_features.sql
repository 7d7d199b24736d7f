-- Fixture stand-in for dbt's features.feat_customer_segmentation and features.feat_fraud_behavior
-- (same column names, min-max scaling over the population, one row per customer), computed
-- from the synthetic world's staging tables. Used only by tests and benchmarks of the ML layer.
create or replace table features.feat_customer_segmentation as
with as_of as (
    select max(cast(_loaded_at as date)) - 1 as d from staging.stg_customers
),
o as (
    select customer_id,
        sum(case when order_status = 'completed' then 1 else 0 end) as total_orders,
        sum(case when order_status = 'completed' then total_amount else 0 end) as total_value,
        max(case when order_status = 'completed' then order_date end) as last_order_date
    from staging.stg_orders group by customer_id
),
s as (
    select customer_id, count(distinct session_id) as sessions,
        count(*) * 1.0 / count(distinct session_id) as pages_per_session,
        avg(case when device_type = 'mobile' then 1.0 else 0.0 end) as mobile_ratio
    from staging.stg_events where customer_id is not null group by customer_id
),
c as (
    select customer_id,
        avg(case when opened_at is not null then 1.0 else 0.0 end) as open_rate,
        avg(case when clicked_at is not null then 1.0 else 0.0 end) as ctr
    from staging.stg_campaigns group by customer_id
),
t as (
    select customer_id, count(*) as tickets, avg(satisfaction_score) as csat
    from staging.stg_support_tickets group by customer_id
),
base as (
    select cu.customer_id,
        datediff('day', cu.signup_date, (select d from as_of)) as tenure_days,
        coalesce(o.total_orders, 0) as total_orders,
        coalesce(o.total_value, 0) as total_value,
        datediff('day', o.last_order_date, (select d from as_of)) as days_since_last_order,
        coalesce(s.sessions, 0) as sessions,
        coalesce(s.pages_per_session, 0) as pages_per_session,
        coalesce(s.mobile_ratio, 0) as mobile_ratio,
        coalesce(c.open_rate, 0) as open_rate,
        coalesce(c.ctr, 0) as ctr,
        coalesce(t.tickets, 0) * 30.0 / greatest(datediff('day', cu.signup_date,
            (select d from as_of)), 1) as tickets_per_month,
        t.csat
    from staging.stg_customers as cu
    left join o on cu.customer_id = o.customer_id
    left join s on cu.customer_id = s.customer_id
    left join c on cu.customer_id = c.customer_id
    left join t on cu.customer_id = t.customer_id
)
select
    customer_id,
    coalesce((total_orders - min(total_orders) over ()) * 1.0
        / nullif(max(total_orders) over () - min(total_orders) over (), 0), 0) as frequency_norm,
    coalesce((total_value - min(total_value) over ())
        / nullif(max(total_value) over () - min(total_value) over (), 0), 0) as monetary_norm,
    case when days_since_last_order is null then 0.0 else 1.0 - coalesce(
        (days_since_last_order - min(days_since_last_order) over ()) * 1.0
        / nullif(max(days_since_last_order) over () - min(days_since_last_order) over (), 0), 0)
    end as recency_norm,
    coalesce((sessions - min(sessions) over ()) * 1.0
        / nullif(max(sessions) over () - min(sessions) over (), 0), 0) as session_frequency_norm,
    coalesce((pages_per_session - min(pages_per_session) over ())
        / nullif(max(pages_per_session) over () - min(pages_per_session) over (), 0), 0)
        as pages_per_session_norm,
    cast(mobile_ratio as double) as mobile_session_ratio,
    cast(open_rate as double) as email_open_rate,
    cast(ctr as double) as click_through_rate,
    coalesce((tickets_per_month - min(tickets_per_month) over ())
        / nullif(max(tickets_per_month) over () - min(tickets_per_month) over (), 0), 0)
        as support_ticket_rate_norm,
    cast(coalesce((csat - 1) / 4, 0.5) as double) as avg_csat_norm,
    coalesce((tenure_days - min(tenure_days) over ()) * 1.0
        / nullif(max(tenure_days) over () - min(tenure_days) over (), 0), 0) as tenure_norm,
    (select d from as_of) as feature_date
from base;

create or replace table features.feat_fraud_behavior as
with tx as (
    select customer_id,
        count(*) as total_transactions,
        sum(case when transaction_type = 'purchase' and status = 'success' then amount else 0 end)
            as total_spend,
        avg(amount) as avg_amount,
        max(amount) as max_amount,
        count(*) * 1.0 / count(distinct cast(transaction_date as date)) as avg_daily_txn,
        count(distinct merchant_id) as merchants,
        count(distinct payment_method) as methods,
        avg(case when status = 'failed' then 1.0 else 0.0 end) as failed_ratio,
        avg(case when hour(transaction_date) < 5 then 1.0 else 0.0 end) as night_ratio,
        max(case when currency <> 'USD' then 1.0 else 0.0 end) as cross_border
    from staging.stg_transactions group by customer_id
)
select
    customer_id,
    coalesce((total_transactions - min(total_transactions) over ()) * 1.0 / nullif(
        max(total_transactions) over () - min(total_transactions) over (), 0), 0) as txn_count_norm,
    coalesce((total_spend - min(total_spend) over ()) / nullif(
        max(total_spend) over () - min(total_spend) over (), 0), 0) as total_spend_norm,
    coalesce((avg_amount - min(avg_amount) over ()) / nullif(
        max(avg_amount) over () - min(avg_amount) over (), 0), 0) as avg_amount_norm,
    coalesce((max_amount - min(max_amount) over ()) / nullif(
        max(max_amount) over () - min(max_amount) over (), 0), 0) as max_amount_norm,
    coalesce((avg_daily_txn - min(avg_daily_txn) over ()) / nullif(
        max(avg_daily_txn) over () - min(avg_daily_txn) over (), 0), 0) as avg_daily_txn_norm,
    coalesce((merchants - min(merchants) over ()) * 1.0 / nullif(
        max(merchants) over () - min(merchants) over (), 0), 0) as distinct_merchants_norm,
    coalesce((methods - min(methods) over ()) * 1.0 / nullif(
        max(methods) over () - min(methods) over (), 0), 0) as payment_methods_norm,
    failed_ratio as failed_txn_ratio,
    night_ratio as night_txn_ratio,
    cross_border as cross_border_ind,
    current_date as feature_date
from tx
where total_transactions > 0
