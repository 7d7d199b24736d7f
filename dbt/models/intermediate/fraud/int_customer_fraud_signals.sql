with

customers as (select * from {{ ref('stg_customers') }}),

customer_transactions as (select * from {{ ref('int_customer_transactions') }}),

transaction_signals as (select * from {{ ref('int_transaction_fraud_signals') }}),

days as (

    {% call aggregated_to_customers('transaction_signals', by=['transaction_day']) %}
        max(day_transactions) as day_transactions,
        max(day_spend) as day_spend
    {% endcall %}

),

velocity as (

    {% call aggregated_to_customers('days') %}
        -- transactions per active day (a day with at least one payment attempt)
        avg(cast(day_transactions as double)) as avg_daily_txn_count,
        -- successful purchase spend of the customer's biggest day
        max(day_spend) as max_single_day_amount
    {% endcall %}

),

signals_aggregated_to_customers as (

    {% call aggregated_to_customers('transaction_signals') %}
        max(case when is_unusual_amount then 1 else 0 end) as has_unusual_amount,
        max(case when is_new_device_day then 1 else 0 end) as has_new_device,
        max(case when is_cross_border then 1 else 0 end) as has_cross_border,
        avg(case when is_night then 1.0 else 0.0 end) as night_txn_ratio
    {% endcall %}

),

final as (

    select
        -- ids
        customers.customer_id,

        -- booleans
        coalesce(velocity.avg_daily_txn_count > {{ var('fraud_high_velocity_daily_txn') }}, false)
            as high_velocity_flag,
        coalesce(agg.has_unusual_amount = 1, false) as unusual_amount_flag,
        coalesce(agg.has_new_device = 1, false) as new_device_flag,
        coalesce(agg.has_cross_border = 1, false) as cross_border_flag,

        -- numerics
        cast(agg.night_txn_ratio as double) as night_txn_ratio,
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
    {{ join_on_keys('customers', [
        'customer_transactions', 'velocity', 'signals_aggregated_to_customers as agg',
    ]) }}

)

select * from final
