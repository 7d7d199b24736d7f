with

source as (

    select * from {{ source('payments', 'transactions') }}

),

latest_load as (

    -- micro-batches can re-deliver a payment attempt (e.g. pending -> success); latest wins
    select
        *,
        row_number() over (
            partition by transaction_id
            order by {{ latest_load_order() }}
        ) as load_rank
    from source
    where transaction_id is not null

),

cleaned as (

    select
        -- ids
        cast(trim(transaction_id) as varchar) as transaction_id,
        cast(trim(customer_id) as varchar) as customer_id,
        cast({{ clean_text('order_id') }} as varchar) as order_id,

        -- timestamps
        cast(transaction_date as timestamp) as transaction_date,

        -- numerics
        cast(amount as double) as amount,

        -- strings
        cast(upper({{ clean_text('currency') }}) as varchar) as currency,
        cast({{ clean_code('payment_method') }} as varchar) as payment_method,
        cast({{ clean_code('transaction_type') }} as varchar) as transaction_type,
        cast({{ clean_code('status') }} as varchar) as status,
        cast({{ clean_text('merchant_id') }} as varchar) as merchant_id,

        -- timestamps
        cast(_loaded_at as timestamp) as _loaded_at

    from latest_load
    where load_rank = 1

)

select * from cleaned
