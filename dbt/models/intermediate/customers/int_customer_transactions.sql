with

customers as (select * from {{ ref('stg_customers') }}),

-- payments with their amounts in USD (the spec's total_spend is in USD)
transactions as (select * from {{ ref('int_transactions_usd') }}),

transactions_aggregated_to_customers as (

    {% call aggregated_to_customers('transactions') %}
        count(*) as total_transactions,
        -- spend = successful purchases only: refunds, reversals and fees are excluded
        sum(
            case
                when {{ is_successful_purchase() }} then amount
            end
        ) as total_spend,
        -- mean value of purchase attempts (refunds, reversals and fees are not purchases)
        {{ avg_purchase_amount() }} as avg_transaction_amount,
        max(amount) as max_transaction_amount,
        count(distinct merchant_id) as distinct_merchants,
        count(distinct payment_method) as payment_methods_used,
        sum(case when status = 'failed' then 1 else 0 end) as failed_transactions,
        max(case when status = 'success' then transaction_date end) as last_transaction_date
    {% endcall %}

),

final as (

    select
        -- ids
        customers.customer_id,

        -- numerics
        cast(coalesce(agg.total_transactions, 0) as bigint) as total_transactions,
        cast(coalesce(agg.total_spend, 0) as double) as total_spend,
        cast(agg.avg_transaction_amount as double) as avg_transaction_amount,
        cast(agg.max_transaction_amount as double) as max_transaction_amount,
        cast(coalesce(agg.distinct_merchants, 0) as bigint) as distinct_merchants,
        cast(coalesce(agg.payment_methods_used, 0) as bigint) as payment_methods_used,
        cast(coalesce(agg.failed_transactions, 0) as bigint) as failed_transactions,

        -- timestamps
        cast(agg.last_transaction_date as timestamp) as last_transaction_date

    from customers
    left join transactions_aggregated_to_customers as agg
        on customers.customer_id = agg.customer_id

)

select * from final
