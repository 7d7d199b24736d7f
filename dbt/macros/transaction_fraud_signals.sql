{#
    The rule-based fraud signals of payment attempts: THE definition of the fraud rules.
    int_transaction_fraud_signals is this macro over every staged payment; the incremental path
    of fct_transactions applies it to the payments of its window only. A query (its own WITH)
    over four relations or CTE names:

    transactions           the payments to score (transaction_id, customer_id,
                           transaction_date, amount in USD, currency, customer_home_currency,
                           transaction_type, status: macros/currency.sql)
    history                payments the per-day velocity counts; must hold every payment of
                           each scored customer-day (the full model passes `transactions`)
    events                 staged clickstream; must hold each scored customer's events of the
                           fraud_new_device_lookback_days (30) days up to each scored day
    customer_transactions  customer_id, avg_transaction_amount (see avg_purchase_amount)
#}
{% macro transaction_fraud_signals(transactions, history, events, customer_transactions) -%}
{%- set lookback_days = var('fraud_new_device_lookback_days') -%}
with

transactions_per_day as (

    select
        customer_id,
        cast(transaction_date as date) as transaction_day,
        count(*) as day_transactions,
        sum(
            case
                when {{ is_successful_purchase() }} then amount else 0
            end
        ) as day_spend
    from {{ history }}
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
    from {{ events }}
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
    -- first sighting of a customer is not a device change. Only whether the previous use /
    -- activity falls within the lookback matters, so events older than it are never needed.
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
        scored.transaction_id,
        scored.customer_id,
        cast(scored.transaction_date as date) as transaction_day,
        scored.amount,
        transactions_per_day.day_transactions,
        transactions_per_day.day_spend,
        {{ hour_of_day('scored.transaction_date') }} < 5 as is_night,
        -- cross-border: a currency that is neither USD nor the customer's home currency (a
        -- customer paying in their own country's currency, or in USD, is not cross-border)
        coalesce(
            scored.currency <> 'USD' and scored.currency <> coalesce(scored.customer_home_currency, 'USD'),
            false
        ) as is_cross_border,
        coalesce(
            customer_averages.avg_transaction_amount > 0
            and scored.transaction_type = 'purchase'
            and scored.amount
            > {{ var('fraud_unusual_amount_multiplier') }} * customer_averages.avg_transaction_amount,
            false
        ) as is_unusual_amount,
        new_device_days.customer_id is not null as is_new_device_day,
        transactions_per_day.day_transactions > {{ var('fraud_high_velocity_daily_txn') }}
            as is_high_velocity_day,
        coalesce(scored.status = 'failed', false) as is_failed
    from {{ transactions }} as scored
    inner join transactions_per_day
        on
            scored.customer_id = transactions_per_day.customer_id
            and cast(scored.transaction_date as date) = transactions_per_day.transaction_day
    left join {{ customer_transactions }} as customer_averages
        on scored.customer_id = customer_averages.customer_id
    left join new_device_days
        on
            scored.customer_id = new_device_days.customer_id
            and cast(scored.transaction_date as date) = new_device_days.activity_day

)

select
    *,
    (
        case when is_night then 1 else 0 end
        + case when is_cross_border then 1 else 0 end
        + case when is_unusual_amount then 1 else 0 end
        + case when is_new_device_day then 1 else 0 end
        + case when is_high_velocity_day then 1 else 0 end
        + case when is_failed then 1 else 0 end
    ) as signal_count
from signals
{%- endmacro %}

{#
    A customer's average amount of purchase attempts (refunds, reversals and fees are not
    purchase values): int_customer_transactions.avg_transaction_amount, the base of the
    unusual-amount rule. An aggregate over payments with transaction_type and amount.
#}
{% macro avg_purchase_amount() -%}
    avg(case when transaction_type = 'purchase' then amount end)
{%- endmacro %}
