{#
    The churn and LTV models' inputs, point in time: one row per customer signed up by each
    snapshot date of the run, with activity features that use only what had happened by the end
    of that day, and for the training snapshots the outcome observed in the window after it.

    Snapshots: the run's as_of_date (scoring), and as training snapshots the label end
    (as_of_date, or the last day both orders and events are loaded for when the data ends
    earlier) minus var ml_churn_horizon_days / ml_ltv_horizon_days, each with its horizon_days:
    the label window (snapshot_date, snapshot_date + horizon_days] ends at the label end.

    Point in time: dates <= snapshot_date, timestamps < the next midnight (cutoff_at). Values
    the sources update later are read as they stood at the cutoff: an order's and a payment's
    status (and amount) and a customer's account status are those of the version that had
    landed by the snapshot day (the staging *_versions models: a payment re-exported as success
    after the snapshot is still pending at it, an order returned after it still completed, an
    account closed after it still active; a record that landed after it is not known at it); a
    ticket resolved after the cutoff is open and its CSAT unseen; an open/click after it did not
    happen; a conversion, known when the attribution window closes, counts only for sends that
    long before the cutoff. Payment amounts are in USD (macros/currency.sql). is_active is the
    account status as of the snapshot (the spec's active population; churn scores it only).
    Money sums are rounded to cents: parallel float sums are not bit-for-bit reproducible, and
    the model version hashes these values. The labels read the orders as they are now.
#}

{%- set training_horizons = {
    'churn_training': var('ml_churn_horizon_days'),
    'ltv_training': var('ml_ltv_horizon_days'),
} -%}
{%- set conversion_known_after_days = var('attribution_window_days') -%}

with

customers as (

    select
        customer_id,
        signup_date
    from {{ ref('dim_customers') }}

),

-- the records as they stood on each past day: every version with its landing day
customer_versions as (

    select
        customer_id,
        account_status,
        _landed_on,
        _superseded_on
    from {{ ref('stg_customer_versions') }}

),

order_versions as (

    select
        customer_id,
        order_date,
        order_status,
        total_amount,
        _landed_on,
        _superseded_on
    from {{ ref('stg_order_versions') }}

),

payment_versions as (select * from {{ ref('stg_transaction_versions') }}),

-- outcomes (labels) and the data horizon: the orders as they are now
orders as (

    select
        customer_id,
        order_date,
        order_status,
        total_amount
    from {{ ref('fct_orders') }}

),

transactions as (

    -- every version of every payment, its amount in USD
    {{ transactions_in_usd('payment_versions', extra_columns=['_landed_on', '_superseded_on']) }}

),

events as (

    select
        customer_id,
        session_id,
        event_type,
        event_timestamp,
        device_type
    from {{ ref('stg_events') }}

),

campaigns as (

    select
        customer_id,
        sent_at,
        opened_at,
        clicked_at,
        converted
    from {{ ref('stg_campaigns') }}

),

support_tickets as (

    select
        customer_id,
        created_at,
        resolved_at,
        priority,
        satisfaction_score
    from {{ ref('stg_support_tickets') }}

),

data_horizon as (

    -- the last day both orders and events are loaded for: "no activity" after it would only
    -- mean "not loaded yet", so no label window ends after it
    select
        least(coalesce(last_order_date, last_event_date), coalesce(last_event_date, last_order_date))
            as last_loaded_date
    from
        (select max(order_date) as last_order_date from orders) as loaded_orders
    cross join
        (select cast(max(event_timestamp) as date) as last_event_date from events) as loaded_events

),

snapshot_purposes as (

    -- the scoring snapshot, and per supervised model the training snapshot whose label window
    -- ends at the label end: the run date, or the last loaded day if the data ends before it
    select
        'scoring' as snapshot_purpose,
        {{ as_of_date() }} as snapshot_date,
        cast(null as bigint) as horizon_days
    {%- for purpose, horizon in training_horizons.items() %}
        union all
        select
            '{{ purpose }}' as snapshot_purpose,
            cast({{ dbt.dateadd('day', '-' ~ horizon, 'least(last_loaded_date, ' ~ as_of_date() ~ ')') }} as date)
                as snapshot_date,
            cast({{ horizon }} as bigint) as horizon_days
        from data_horizon
        where last_loaded_date is not null
    {%- endfor %}

),

snapshot_cutoffs as (

    -- each snapshot day once (two purposes may share one), with the bounds of its windows
    select distinct
        snapshot_date,
        cast({{ dbt.dateadd('day', 1, 'cast(snapshot_date as timestamp)') }} as timestamp) as cutoff_at,
        cast({{ dbt.dateadd('day', -30, 'snapshot_date') }} as date) as since_30d,
        cast({{ dbt.dateadd('day', -90, 'snapshot_date') }} as date) as since_90d,
        cast({{ dbt.dateadd('day', -365, 'snapshot_date') }} as date) as since_365d
    from snapshot_purposes

),

snapshots as (

    select
        *,
        cast({{ dbt.dateadd('day', -30, 'cutoff_at') }} as timestamp) as ts_since_30d,
        cast({{ dbt.dateadd('day', -90, 'cutoff_at') }} as timestamp) as ts_since_90d,
        cast({{ dbt.dateadd('day', -365, 'cutoff_at') }} as timestamp) as ts_since_365d,
        cast({{ dbt.dateadd('day', '-' ~ conversion_known_after_days, 'cutoff_at') }} as timestamp)
            as conversion_cutoff_at
    from snapshot_cutoffs

),

label_windows as (

    -- (snapshot_date, window_end_date] and [cutoff_at, window_end_at) of the training snapshots
    select
        snapshot_purposes.snapshot_purpose,
        snapshot_purposes.snapshot_date,
        snapshots.cutoff_at,
        cast({{ dbt.dateadd('day', 'snapshot_purposes.horizon_days', 'snapshot_purposes.snapshot_date') }} as date)
            as window_end_date,
        cast({{ dbt.dateadd('day', 'snapshot_purposes.horizon_days', 'snapshots.cutoff_at') }} as timestamp)
            as window_end_at
    from snapshot_purposes
    inner join snapshots
        on snapshot_purposes.snapshot_date = snapshots.snapshot_date
    where snapshot_purposes.horizon_days is not null

),

customers_as_of as (

    -- every customer signed up by the snapshot, with the account status of the CRM version
    -- that had landed by then
    select
        snapshot_purposes.snapshot_purpose,
        snapshot_purposes.snapshot_date,
        snapshot_purposes.horizon_days,
        customers.customer_id,
        customers.signup_date,
        {{ is_active_account('customer_versions.account_status') }} as is_active
    from snapshot_purposes
    inner join customers
        on snapshot_purposes.snapshot_date >= customers.signup_date
    left join customer_versions
        on
            customers.customer_id = customer_versions.customer_id
            and {{ version_as_of('customer_versions', 'snapshot_purposes.snapshot_date') }}

),

orders_as_of as (

    -- each order placed by the snapshot, in the version (status) that had landed by then
    select
        snapshots.snapshot_date,
        snapshots.since_30d,
        snapshots.since_90d,
        snapshots.since_365d,
        order_versions.*
    from snapshots
    inner join order_versions
        on
            snapshots.snapshot_date >= order_versions.order_date
            and {{ version_as_of('order_versions', 'snapshots.snapshot_date') }}

),

order_totals as (

    {{ customer_order_totals('orders_as_of', by=['snapshot_date']) }}

),

order_windows as (

    select
        snapshot_date,
        customer_id,
        sum(case when {{ is_completed_order() }} and order_date > since_30d then 1 else 0 end)
            as completed_orders_30d,
        sum(case when {{ is_completed_order() }} and order_date > since_90d then 1 else 0 end)
            as completed_orders_90d,
        sum(case when {{ is_completed_order() }} and order_date > since_365d then 1 else 0 end)
            as completed_orders_365d,
        round(sum(case when {{ is_completed_order() }} and order_date > since_90d then total_amount else 0 end), 2)
            as spend_90d,
        round(sum(case when {{ is_completed_order() }} and order_date > since_365d then total_amount else 0 end), 2)
            as spend_365d,
        sum(case when order_status in ('cancelled', 'returned') then 1 else 0 end)
            as cancelled_or_returned_orders,
        count(*) as all_orders
    from orders_as_of
    group by snapshot_date, customer_id

),

events_as_of as (

    select
        snapshots.snapshot_date,
        events.*
    from snapshots
    inner join events
        on snapshots.cutoff_at > events.event_timestamp

),

sessions as (

    {{ customer_sessions('events_as_of', by=['snapshot_date']) }}

),

sessions_aggregated_to_customers as (

    select
        sessions.snapshot_date,
        sessions.customer_id,
        count(*) as sessions_total,
        sum(case when sessions.session_start >= snapshots.ts_since_30d then 1 else 0 end)
            as sessions_30d,
        sum(case when sessions.session_start >= snapshots.ts_since_90d then 1 else 0 end)
            as sessions_90d,
        sum(case when sessions.session_start >= snapshots.ts_since_90d then sessions.events else 0 end)
            as events_90d,
        count(distinct case when sessions.session_start >= snapshots.ts_since_90d then cast(sessions.session_start as date) end)
            as active_days_90d,
        avg(sessions.is_mobile * 1.0) as mobile_session_ratio,
        avg(
            case
                when sessions.session_start >= snapshots.ts_since_90d
                    then {{ seconds_between('sessions.session_start', 'sessions.session_end') }}
            end
        ) as avg_session_seconds_90d,
        avg(
            case
                when
                    sessions.session_start < snapshots.ts_since_90d
                    and sessions.session_start >= snapshots.ts_since_365d
                    then {{ seconds_between('sessions.session_start', 'sessions.session_end') }}
            end
        ) as avg_session_seconds_prior,
        min(sessions.session_start) as first_session_at,
        max(sessions.session_end) as last_event_at
    from sessions
    inner join snapshots
        on sessions.snapshot_date = snapshots.snapshot_date
    group by sessions.snapshot_date, sessions.customer_id

),

payments_aggregated_to_customers as (

    select
        snapshots.snapshot_date,
        transactions.customer_id,
        count(*) as txn_attempts_365d,
        sum(case when transactions.transaction_date >= snapshots.ts_since_90d then 1 else 0 end)
            as txn_attempts_90d,
        sum(case when transactions.status = 'failed' then 1 else 0 end) as failed_txn_365d,
        sum(case when transactions.transaction_type = 'refund' then 1 else 0 end) as refunds_365d,
        round(sum(case when {{ is_successful_purchase() }} then transactions.amount else 0 end), 2)
            as purchase_amount_365d
    from snapshots
    inner join transactions
        on
            snapshots.cutoff_at > transactions.transaction_date
            and snapshots.ts_since_365d <= transactions.transaction_date
            -- the payment's version (status, amount) that had landed by the snapshot day
            and {{ version_as_of('transactions', 'snapshots.snapshot_date') }}
    group by snapshots.snapshot_date, transactions.customer_id

),

sends_aggregated_to_customers as (

    select
        snapshots.snapshot_date,
        campaigns.customer_id,
        count(*) as sends_90d,
        sum(case when campaigns.opened_at < snapshots.cutoff_at then 1 else 0 end) as opens_90d,
        sum(case when campaigns.clicked_at < snapshots.cutoff_at then 1 else 0 end) as clicks_90d,
        sum(case when campaigns.converted and campaigns.sent_at < snapshots.conversion_cutoff_at then 1 else 0 end)
            as conversions_90d
    from snapshots
    inner join campaigns
        on
            snapshots.cutoff_at > campaigns.sent_at
            and snapshots.ts_since_90d <= campaigns.sent_at
    group by snapshots.snapshot_date, campaigns.customer_id

),

tickets_aggregated_to_customers as (

    select
        snapshots.snapshot_date,
        support_tickets.customer_id,
        sum(case when support_tickets.created_at >= snapshots.ts_since_90d then 1 else 0 end)
            as tickets_90d,
        sum(
            case
                when support_tickets.created_at >= snapshots.ts_since_90d and {{ is_high_priority_ticket() }}
                    then 1
                else 0
            end
        ) as high_priority_tickets_90d,
        -- open at the cutoff: not resolved, or resolved after it
        sum(
            case
                when support_tickets.resolved_at is null or support_tickets.resolved_at >= snapshots.cutoff_at
                    then 1
                else 0
            end
        ) as open_tickets,
        -- CSAT of the last year's tickets resolved by the cutoff (a later CSAT is unseen)
        avg(
            case
                when
                    support_tickets.resolved_at < snapshots.cutoff_at
                    and support_tickets.created_at >= snapshots.ts_since_365d
                    then cast(support_tickets.satisfaction_score as double)
            end
        ) as avg_csat_365d
    from snapshots
    inner join support_tickets
        on snapshots.cutoff_at > support_tickets.created_at
    group by snapshots.snapshot_date, support_tickets.customer_id

),

joined as (

    select
        customers_as_of.snapshot_purpose,
        customers_as_of.snapshot_date,
        customers_as_of.horizon_days,
        customers_as_of.customer_id,
        customers_as_of.is_active,
        {{ dbt.datediff('customers_as_of.signup_date', 'customers_as_of.snapshot_date', 'day') }}
            as tenure_days,
        cast(coalesce(order_totals.completed_orders, 0) as bigint) as completed_orders,
        cast(coalesce(order_windows.completed_orders_30d, 0) as bigint) as completed_orders_30d,
        cast(coalesce(order_windows.completed_orders_90d, 0) as bigint) as completed_orders_90d,
        cast(coalesce(order_windows.completed_orders_365d, 0) as bigint) as completed_orders_365d,
        coalesce(round(order_totals.total_order_value, 2), 0) as spend_total,
        coalesce(order_windows.spend_90d, 0) as spend_90d,
        coalesce(order_windows.spend_365d, 0) as spend_365d,
        coalesce(order_windows.cancelled_or_returned_orders, 0) * 1.0
        / greatest(coalesce(order_windows.all_orders, 0), 1) as cancel_return_ratio,
        {{ dbt.datediff('order_totals.last_order_date', 'customers_as_of.snapshot_date', 'day') }}
            as days_since_last_order,
        coalesce(s.sessions_total, 0) as sessions_total,
        cast(coalesce(s.sessions_30d, 0) as bigint) as sessions_30d,
        cast(coalesce(s.sessions_90d, 0) as bigint) as sessions_90d,
        cast(coalesce(s.events_90d, 0) as bigint) as events_90d,
        coalesce(s.active_days_90d, 0) as active_days_90d,
        s.mobile_session_ratio,
        s.avg_session_seconds_90d,
        s.avg_session_seconds_prior,
        {{ dbt.datediff('cast(s.last_event_at as date)', 'customers_as_of.snapshot_date', 'day') }}
            as days_since_last_session,
        -- mean gaps between completed orders / between sessions (null below two of them)
        case
            when order_totals.completed_orders > 1
                then
                    {{ dbt.datediff('order_totals.first_order_date', 'order_totals.last_order_date', 'day') }}
                    * 1.0 / (order_totals.completed_orders - 1)
        end as avg_order_gap_days,
        case
            when s.sessions_total > 1
                then
                    {{ dbt.datediff('cast(s.first_session_at as date)', 'cast(s.last_event_at as date)', 'day') }}
                    * 1.0 / (s.sessions_total - 1)
        end as avg_session_gap_days,
        coalesce(p.txn_attempts_365d, 0) as txn_attempts_365d,
        cast(coalesce(p.txn_attempts_90d, 0) as bigint) as txn_attempts_90d,
        coalesce(p.failed_txn_365d, 0) * 1.0 / greatest(coalesce(p.txn_attempts_365d, 0), 1)
            as failed_txn_ratio_365d,
        cast(coalesce(p.refunds_365d, 0) as bigint) as refunds_365d,
        coalesce(p.purchase_amount_365d, 0) as purchase_amount_365d,
        coalesce(c.sends_90d, 0) as sends_90d,
        coalesce(c.opens_90d, 0) * 1.0 / greatest(coalesce(c.sends_90d, 0), 1) as open_rate_90d,
        coalesce(c.clicks_90d, 0) * 1.0 / greatest(coalesce(c.sends_90d, 0), 1) as click_rate_90d,
        cast(coalesce(c.conversions_90d, 0) as bigint) as conversions_90d,
        cast(coalesce(t.tickets_90d, 0) as bigint) as tickets_90d,
        cast(coalesce(t.high_priority_tickets_90d, 0) as bigint) as high_priority_tickets_90d,
        cast(coalesce(t.open_tickets, 0) as bigint) as open_tickets,
        t.avg_csat_365d
    from customers_as_of
    {{ join_on_keys('customers_as_of', [
        'order_totals', 'order_windows', 'sessions_aggregated_to_customers as s',
        'payments_aggregated_to_customers as p', 'sends_aggregated_to_customers as c',
        'tickets_aggregated_to_customers as t',
    ], keys=['snapshot_date', 'customer_id']) }}

),

features as (

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

),

window_orders as (

    -- the label window's completed-order spend (rounded to cents, see above)
    select
        label_windows.snapshot_purpose,
        orders.customer_id,
        round(sum(orders.total_amount), 2) as realised_spend
    from label_windows
    inner join orders
        on
            label_windows.snapshot_date < orders.order_date
            and label_windows.window_end_date >= orders.order_date
    where {{ is_completed_order('orders') }}
    group by label_windows.snapshot_purpose, orders.customer_id

),

window_activity as (

    select distinct
        label_windows.snapshot_purpose,
        events.customer_id
    from label_windows
    inner join events
        on
            label_windows.cutoff_at <= events.event_timestamp
            and label_windows.window_end_at > events.event_timestamp
    where {{ is_identified_event() }}

),

final as (

    select
        -- keys (snapshot_purpose, snapshot_date, horizon_days, customer_id), then the model
        -- inputs in their order
        features.*,

        -- outcomes in (snapshot_date, snapshot_date + horizon_days] (training snapshots only):
        -- churned = no completed order and no identified event in the window
        case
            when features.horizon_days is null then null
            when window_orders.customer_id is null and window_activity.customer_id is null then 1
            else 0
        end as churned,
        case
            when features.horizon_days is not null
                then greatest(coalesce(window_orders.realised_spend, 0), 0)
        end as realised_spend

    from features
    {{ join_on_keys('features', ['window_orders', 'window_activity'], keys=['snapshot_purpose', 'customer_id']) }}

)

select * from final
