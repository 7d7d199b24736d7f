{{
    config(
        materialized='incremental',
        unique_key='transaction_id',
        incremental_strategy=c360_incremental_strategy(),
        on_schema_change='fail',
    )
}}

-- the spec's lineage: conformed to dim_customers and fct_orders (FKs tested, never filtered on)
-- depends_on: {{ ref('dim_customers') }}
-- depends_on: {{ ref('fct_orders') }}

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

transaction_signals as (

    select * from {{ ref('int_transaction_fraud_signals') }}

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
        -- high risk: the payment raises at least fraud_high_risk_min_signals of the rule-based
        -- signals (night, foreign currency, unusual amount, new device, high-velocity day,
        -- failed), evaluated as of this run for the rows in the incremental window
        coalesce(transaction_signals.signal_count >= {{ var('fraud_high_risk_min_signals') }}, false)
            as is_high_risk

    from transactions
    left join transaction_signals
        on transactions.transaction_id = transaction_signals.transaction_id

)

select * from final
