{#
    The rule-based fraud signals of every payment attempt. The rules are defined once, in
    macros/transaction_fraud_signals.sql: this model applies them to every staged payment;
    int_customer_fraud_signals aggregates them per customer and fct_transactions derives
    is_high_risk from them (its incremental path applies the same macro to its window).
#}
with

transactions as (select * from {{ ref('int_transactions_usd') }}),

events as (select * from {{ ref('stg_events') }}),

customer_transactions as (select * from {{ ref('int_customer_transactions') }}),

final as (

    {{ transaction_fraud_signals(
        transactions='transactions',
        history='transactions',
        events='events',
        customer_transactions='customer_transactions'
    ) }}

)

select * from final
