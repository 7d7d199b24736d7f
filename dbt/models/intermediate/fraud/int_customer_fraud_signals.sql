{%- set lookback_days = var('fraud_new_device_lookback_days') -%}

with

customers as (

    select * from {{ ref('stg_customers') }}

),

transactions as (

    select * from {{ ref('stg_transactions') }}

),

events as (

    select * from {{ ref('stg_events') }}

),

customer_transactions as (

    select * from {{ ref('int_customer_transactions') }}

),

transactions_per_day as (

    select
        customer_id,
        cast(transaction_date as date) as transaction_day,
        count(*) as day_transactions,
        sum(
            case
                when transaction_type = 'purchase' and status = 'success' then amount else 0
            end
        ) as day_spend
    from transactions
    group by customer_id, cast(transaction_date as date)

),

velocity as (

    select
        customer_id,
        -- transactions per active day (a day with at least one payment attempt)
        avg(cast(day_transactions as double)) as avg_daily_txn_count,
        max(day_spend) as max_single_day_amount
    from transactions_per_day
    group by customer_id

),

transaction_patterns as (

    select
        transactions.customer_id,
        max(
            case
                when
                    customer_transactions.avg_transaction_amount > 0
                    and transactions.transaction_type = 'purchase'
                    and transactions.amount
                    > {{ var('fraud_unusual_amount_multiplier') }} * customer_transactions.avg_transaction_amount
                    then 1
                else 0
            end
        ) as has_unusual_amount,
        max(case when transactions.currency <> 'USD' then 1 else 0 end) as has_non_usd_currency,
        avg(
            case when {{ hour_of_day('transactions.transaction_date') }} < 5 then 1.0 else 0.0 end
        ) as night_txn_ratio
    from transactions
    inner join customer_transactions
        on transactions.customer_id = customer_transactions.customer_id
    group by transactions.customer_id

),

device_days as (

    -- transactions carry no device: the device of a payment is taken from the customer's own
    -- clickstream that day. A device is the pair device_type + browser (the spec's device
    -- fingerprint signals); a device-day is new when the customer's events show no use of that
    -- device in the {{ lookback_days }} days before
    select distinct
        customer_id,
        cast(event_timestamp as date) as activity_day,
        coalesce(device_type, 'unknown') || '/' || coalesce(browser, 'unknown') as device
    from events
    where customer_id is not null

),

device_days_with_previous_use as (

    select
        customer_id,
        activity_day,
        device,
        lag(activity_day) over (
            partition by customer_id, device
            order by activity_day
        ) as previous_use_day
    from device_days

),

activity_days as (

    select distinct
        customer_id,
        activity_day
    from device_days

),

customer_activity_days as (

    select
        customer_id,
        activity_day,
        lag(activity_day) over (
            partition by customer_id
            order by activity_day
        ) as previous_activity_day
    from activity_days

),

new_device_days as (

    -- only a customer with an activity history in the window can show a new device: the very
    -- first sighting of a customer is not a device change
    select distinct
        device_days_with_previous_use.customer_id,
        device_days_with_previous_use.activity_day
    from device_days_with_previous_use
    inner join customer_activity_days
        on
            device_days_with_previous_use.customer_id = customer_activity_days.customer_id
            and device_days_with_previous_use.activity_day = customer_activity_days.activity_day
    where
        customer_activity_days.previous_activity_day
        >= {{ dbt.dateadd('day', '-' ~ lookback_days, 'customer_activity_days.activity_day') }}
        and (
            device_days_with_previous_use.previous_use_day is null
            or device_days_with_previous_use.previous_use_day
            < {{ dbt.dateadd('day', '-' ~ lookback_days, 'device_days_with_previous_use.activity_day') }}
        )

),

new_device_transactions as (

    select
        transactions_per_day.customer_id,
        max(case when new_device_days.customer_id is not null then 1 else 0 end) as has_new_device
    from transactions_per_day
    left join new_device_days
        on
            transactions_per_day.customer_id = new_device_days.customer_id
            and transactions_per_day.transaction_day = new_device_days.activity_day
    group by transactions_per_day.customer_id

),

final as (

    select
        -- ids
        customers.customer_id,

        -- booleans
        coalesce(velocity.avg_daily_txn_count > {{ var('fraud_high_velocity_daily_txn') }}, false)
            as high_velocity_flag,
        coalesce(transaction_patterns.has_unusual_amount = 1, false) as unusual_amount_flag,
        coalesce(new_device_transactions.has_new_device = 1, false) as new_device_flag,
        coalesce(transaction_patterns.has_non_usd_currency = 1, false) as cross_border_flag,

        -- numerics
        cast(transaction_patterns.night_txn_ratio as double) as night_txn_ratio,
        cast(
            case
                when customer_transactions.total_transactions > 0
                    then
                        cast(customer_transactions.failed_transactions as double)
                        / customer_transactions.total_transactions
            end
            as double
        ) as failed_txn_ratio,
        cast(velocity.avg_daily_txn_count as double) as avg_daily_txn_count,
        cast(velocity.max_single_day_amount as double) as max_single_day_amount

    from customers
    left join customer_transactions
        on customers.customer_id = customer_transactions.customer_id
    left join velocity
        on customers.customer_id = velocity.customer_id
    left join transaction_patterns
        on customers.customer_id = transaction_patterns.customer_id
    left join new_device_transactions
        on customers.customer_id = new_device_transactions.customer_id

)

select * from final
