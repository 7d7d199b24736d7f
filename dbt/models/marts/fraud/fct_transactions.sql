{{
    config(
        materialized='incremental',
        unique_key='transaction_id',
        incremental_strategy=c360_incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

transactions as (

    select * from {{ ref('stg_transactions') }}
    {% if is_incremental() %}
        -- the window is by load time: every row loaded within the lookback before the newest
        -- transaction already merged is (re)processed, which takes in late-arriving payments
        -- and re-exported ones (e.g. pending -> success) whatever their transaction_date
        where
            _loaded_at >= (
                select {{ dbt.dateadd('day', '-' ~ var('transactions_lookback_days'), 'max(transaction_date)') }}
                from {{ this }}
            )
    {% endif %}

),

customer_transactions as (

    select * from {{ ref('int_customer_transactions') }}

),

fraud_signals as (

    select * from {{ ref('int_customer_fraud_signals') }}

),

customer_signal_counts as (

    select
        fraud_signals.customer_id,
        (
            case when fraud_signals.high_velocity_flag then 1 else 0 end
            + case when fraud_signals.unusual_amount_flag then 1 else 0 end
            + case when fraud_signals.new_device_flag then 1 else 0 end
            + case when fraud_signals.cross_border_flag then 1 else 0 end
            + case when fraud_signals.failed_txn_ratio > {{ var('fraud_high_failed_ratio') }} then 1 else 0 end
            + case when fraud_signals.night_txn_ratio > {{ var('fraud_high_night_ratio') }} then 1 else 0 end
        ) as signal_count,
        customer_transactions.avg_transaction_amount
    from fraud_signals
    left join customer_transactions
        on fraud_signals.customer_id = customer_transactions.customer_id

),

final as (

    select
        -- ids
        transactions.transaction_id,
        transactions.customer_id,
        transactions.order_id,

        -- timestamps
        transactions.transaction_date,

        -- numerics
        transactions.amount,

        -- strings
        transactions.currency,
        transactions.payment_method,
        transactions.transaction_type,
        transactions.status,

        -- booleans
        -- high risk: this payment is itself an unusual amount (> N x the customer's average),
        -- or its customer raises at least fraud_high_risk_min_signals rule-based signals
        coalesce(
            (
                customer_signal_counts.avg_transaction_amount > 0
                and transactions.transaction_type = 'purchase'
                and transactions.amount
                > {{ var('fraud_unusual_amount_multiplier') }} * customer_signal_counts.avg_transaction_amount
            )
            or customer_signal_counts.signal_count >= {{ var('fraud_high_risk_min_signals') }},
            false
        ) as is_high_risk

    from transactions
    left join customer_signal_counts
        on transactions.customer_id = customer_signal_counts.customer_id

)

select * from final
