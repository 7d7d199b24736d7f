{{
    config(
        materialized='incremental',
        unique_key='transaction_id',
        incremental_strategy=c360_incremental_strategy(),
        on_schema_change='fail',
    )
}}

-- the incremental path reads stg_customers (int_customer_transactions' customers, home
-- currencies) and the FX seeds; a ref in an is_incremental() branch is invisible to dbt's
-- parser, hence the hints
-- depends_on: {{ ref('stg_customers') }}, {{ ref('fx_rates') }}, {{ ref('country_currencies') }}

with

{% if is_incremental() %}

    {#
        An incremental run reads RAW and history only in proportion to its window (dbt/README.md,
        "fct_transactions: the incremental path"): the payments with a RAW load after the
        watermark, and, for their customers only, their merged payments and their clickstream
        of the days the rules look at. The rules are the same macro as the full build's.
    #}
    {%- set recent_transaction_ids -%}
        select transaction_id from {{ this }}
        where
            transaction_date >= (
                select {{ dbt.dateadd('day', '-' ~ var('transactions_lookback_days'), 'max(transaction_date)') }}
                from {{ this }}
            )
    {%- endset %}

    {%- set rule_inputs = 'customer_id, transaction_date, amount, transaction_type, status' %}

    watermark as (

        -- the first RAW load of the payments dated within the lookback of the newest merged
        -- one: every payment loaded after it is (re)processed, which takes in late-arriving
        -- payments and re-exported ones (e.g. pending -> success) whatever their date
        select
            coalesce(
                ({{ transactions_first_loaded_at(recent_transaction_ids) }}),
                cast('1900-01-01 00:00:00' as timestamp)
            ) as loaded_after

    ),

    staged_window as (

        -- latest load of every payment loaded after the watermark (exactly the staged rows whose
        -- _loaded_at is after it: the latest load of such a payment is after it too)
        {{ staged_transactions(raw_filter='_loaded_at > (select loaded_after from watermark)') }}

    ),

    transactions as (

        -- in USD, as int_transactions_usd converts every staged payment
        {{ transactions_in_usd('staged_window') }}

    ),

    window_customers as (

        select distinct customer_id from transactions

    ),

    customer_payments as (

        -- every payment of the window's customers: the merged ones the window does not replace,
        -- plus the window's (the per-day velocity and the average amount need them all)
        select {{ rule_inputs }}
        from {{ this }}
        where
            customer_id in (select customer_id from window_customers)
            and transaction_id not in (select transaction_id from transactions)
        union all
        select {{ rule_inputs }}
        from transactions

    ),

    customer_transactions as (

        -- int_customer_transactions.avg_transaction_amount of the window's customers (it has a
        -- row per staged customer only)
        select
            customer_id,
            {{ avg_purchase_amount() }} as avg_transaction_amount
        from customer_payments
        where customer_id in (select customer_id from {{ ref('stg_customers') }})
        group by customer_id

    ),

    event_days as (

        -- the clickstream days the new-device rule reads for the window's payment days
        select
            {{ dbt.dateadd(
                'day',
                '-' ~ var('fraud_new_device_lookback_days'),
                'cast(min(cast(transaction_date as date)) as timestamp)'
            ) }} as first_event_at,
            {{ dbt.dateadd('day', 1, 'cast(max(cast(transaction_date as date)) as timestamp)') }}
                as last_event_before
        from transactions

    ),

    {%- set window_events -%}
        event_timestamp >= (select first_event_at from event_days)
        and event_timestamp < (select last_event_before from event_days)
        and {{ clean_text('customer_id') }} in (select customer_id from window_customers)
    {%- endset %}

    events as (

        select staged_events.*
        from ({{ staged_events(raw_filter=window_events) }}) as staged_events
        where {{ window_events }}

    ),

    transaction_signals as (

        {{ transaction_fraud_signals(
            transactions='transactions',
            history='customer_payments',
            events='events',
            customer_transactions='customer_transactions'
        ) }}

    ),

{% else %}

    transactions as (

        select * from {{ ref('int_transactions_usd') }}

    ),

    transaction_signals as (

        select * from {{ ref('int_transaction_fraud_signals') }}

    ),

{% endif %}

customer_versions as (

    -- the customers' KYC status as it stood on each day (CRM versions by landing day)
    select
        customer_id,
        kyc_status,
        _landed_on,
        _superseded_on
    from {{ ref('stg_customer_versions') }}

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
        -- in USD (int_transactions_usd); the amount as the ledger recorded it is amount_local
        transactions.amount,

        -- strings
        transactions.currency,
        transactions.payment_method,
        transactions.transaction_type,
        transactions.status,

        -- booleans
        -- high risk: the payment raises at least fraud_high_risk_min_signals of the rule-based
        -- signals (night, cross-border, unusual amount, new device, high-velocity day,
        -- failed), evaluated as of this run for the rows in the incremental window
        coalesce(transaction_signals.signal_count >= {{ var('fraud_high_risk_min_signals') }}, false)
            as is_high_risk,

        -- beyond the spec: the amount in the payment's currency, and whether KYC let the
        -- customer transact that day (KYC status gates transaction eligibility)
        transactions.amount_local,
        {{ is_kyc_eligible('customer_versions.kyc_status') }} as is_kyc_eligible

    from transactions
    left join transaction_signals
        on transactions.transaction_id = transaction_signals.transaction_id
    left join customer_versions
        on
            transactions.customer_id = customer_versions.customer_id
            and {{ version_as_of('customer_versions', 'cast(transactions.transaction_date as date)') }}

)

select * from final
