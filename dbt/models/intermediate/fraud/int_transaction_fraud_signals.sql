{#
    The rule-based fraud signals of every payment attempt. The one place the rules are
    defined: int_customer_fraud_signals aggregates them per customer and fct_transactions
    derives is_high_risk from them, so both always agree.
#}
{%- set lookback_days = var('fraud_new_device_lookback_days') -%}

with

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

signals as (

    select
        transactions.transaction_id,
        transactions.customer_id,
        cast(transactions.transaction_date as date) as transaction_day,
        transactions.amount,
        transactions_per_day.day_transactions,
        transactions_per_day.day_spend,
        {{ hour_of_day('transactions.transaction_date') }} < 5 as is_night,
        coalesce(transactions.currency <> 'USD', false) as is_foreign_currency,
        coalesce(
            customer_transactions.avg_transaction_amount > 0
            and transactions.transaction_type = 'purchase'
            and transactions.amount
            > {{ var('fraud_unusual_amount_multiplier') }} * customer_transactions.avg_transaction_amount,
            false
        ) as is_unusual_amount,
        new_device_days.customer_id is not null as is_new_device_day,
        transactions_per_day.day_transactions > {{ var('fraud_high_velocity_daily_txn') }}
            as is_high_velocity_day,
        coalesce(transactions.status = 'failed', false) as is_failed
    from transactions
    inner join transactions_per_day
        on
            transactions.customer_id = transactions_per_day.customer_id
            and cast(transactions.transaction_date as date) = transactions_per_day.transaction_day
    left join customer_transactions
        on transactions.customer_id = customer_transactions.customer_id
    left join new_device_days
        on
            transactions.customer_id = new_device_days.customer_id
            and cast(transactions.transaction_date as date) = new_device_days.activity_day

),

final as (

    select
        *,
        (
            case when is_night then 1 else 0 end
            + case when is_foreign_currency then 1 else 0 end
            + case when is_unusual_amount then 1 else 0 end
            + case when is_new_device_day then 1 else 0 end
            + case when is_high_velocity_day then 1 else 0 end
            + case when is_failed then 1 else 0 end
        ) as signal_count
    from signals

)

select * from final
