{#
    Money in USD, defined once. The spec states fct_transactions.amount, total_spend and every
    figure built from payments in USD, while the payments ledger records each payment in its own
    currency (stg_transactions.amount is "in local currency"). transactions_in_usd() returns
    the payments of `transactions` (a relation or CTE with the staged payment columns) with

      amount                  in USD: the local amount x the rate in effect on the payment's
                              UTC day, rounded to cents (null without a rate: see the seed)
      amount_local, currency  the amount and currency as the ledger recorded them
      customer_home_currency  the currency of the customer's country (stg_customers.country,
                              seed country_currencies), for the cross-border fraud signal

    The rate in effect is the latest fx_rates.rate_date on or before the payment's day: a rate
    carries forward until the currency's next one. int_transactions_usd is this macro over
    every staged payment; fct_transactions' incremental path applies it to its window and
    feat_customer_history to the payments as they stood at each snapshot (extra_columns: more
    columns of `transactions` to pass through).
#}
{% macro transactions_in_usd(transactions, extra_columns=[]) -%}
with

fx_rates as (select * from {{ ref('fx_rates') }}),

country_currencies as (select * from {{ ref('country_currencies') }}),

customers as (select * from {{ ref('stg_customers') }}),

rate_periods as (

    -- each rate applies from its rate_date until the currency's next rate_date
    select
        currency,
        usd_per_unit,
        rate_date as valid_from,
        lead(rate_date) over (partition by currency order by rate_date) as valid_until
    from fx_rates

),

home_currencies as (

    select
        customers.customer_id,
        country_currencies.currency as home_currency
    from customers
    inner join country_currencies
        on customers.country = country_currencies.country

),

converted as (

    select
        -- ids
        payments.transaction_id,
        payments.customer_id,
        payments.order_id,

        -- timestamps
        payments.transaction_date,

        -- numerics
        cast(round(payments.amount * rate_periods.usd_per_unit, 2) as double) as amount,
        payments.amount as amount_local,

        -- strings
        payments.currency,
        cast(home_currencies.home_currency as varchar) as customer_home_currency,
        payments.payment_method,
        payments.transaction_type,
        payments.status,
        payments.merchant_id,

        -- timestamps
        payments._loaded_at
        {%- for column in extra_columns %},
        payments.{{ column }}
        {%- endfor %}

    from {{ transactions }} as payments
    left join rate_periods
        on
            payments.currency = rate_periods.currency
            and cast(payments.transaction_date as date) >= rate_periods.valid_from
            and (
                rate_periods.valid_until is null
                or cast(payments.transaction_date as date) < rate_periods.valid_until
            )
    left join home_currencies
        on payments.customer_id = home_currencies.customer_id

)

select * from converted
{%- endmacro %}
