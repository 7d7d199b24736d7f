{#
    IsolationForest input: one row per customer with payment behaviour. Amounts and counts are
    min-max scaled to [0, 1] over the run's population; ratios are already in [0, 1]; the
    rule-based flags of int_customer_fraud_signals are 0/1.
#}

with

customer_transactions as (select * from {{ ref('int_customer_transactions') }}),

fraud_signals as (select * from {{ ref('int_customer_fraud_signals') }}),

customer_inputs as (

    select
        customer_transactions.customer_id,
        customer_transactions.total_transactions,
        customer_transactions.total_spend,
        customer_transactions.avg_transaction_amount,
        customer_transactions.max_transaction_amount,
        customer_transactions.distinct_merchants,
        customer_transactions.payment_methods_used,
        fraud_signals.avg_daily_txn_count,
        fraud_signals.max_single_day_amount,
        fraud_signals.failed_txn_ratio,
        fraud_signals.night_txn_ratio,
        fraud_signals.high_velocity_flag,
        fraud_signals.unusual_amount_flag,
        fraud_signals.new_device_flag,
        fraud_signals.cross_border_flag
    from customer_transactions
    inner join fraud_signals
        on customer_transactions.customer_id = fraud_signals.customer_id
    -- customers who never attempted a payment have no payment behaviour to score
    where customer_transactions.total_transactions > 0

),

final as (

    select
        -- ids
        customer_id,

        -- numerics
        cast({{ minmax_norm('total_transactions') }} as double) as txn_count_norm,
        cast({{ minmax_norm('total_spend') }} as double) as total_spend_norm,
        cast({{ minmax_norm('avg_transaction_amount') }} as double) as avg_amount_norm,
        cast({{ minmax_norm('max_transaction_amount') }} as double) as max_amount_norm,
        cast({{ minmax_norm('max_single_day_amount') }} as double) as max_single_day_amount_norm,
        cast({{ minmax_norm('avg_daily_txn_count') }} as double) as avg_daily_txn_norm,
        cast({{ minmax_norm('distinct_merchants') }} as double) as distinct_merchants_norm,
        cast({{ minmax_norm('payment_methods_used') }} as double) as payment_methods_norm,
        cast(coalesce(failed_txn_ratio, 0) as double) as failed_txn_ratio,
        cast(coalesce(night_txn_ratio, 0) as double) as night_txn_ratio,
        cast(case when high_velocity_flag then 1.0 else 0.0 end as double) as high_velocity_ind,
        cast(case when unusual_amount_flag then 1.0 else 0.0 end as double) as unusual_amount_ind,
        cast(case when new_device_flag then 1.0 else 0.0 end as double) as new_device_ind,
        cast(case when cross_border_flag then 1.0 else 0.0 end as double) as cross_border_ind,

        -- dates
        {{ as_of_date() }} as feature_date

    from customer_inputs

)

select * from final
