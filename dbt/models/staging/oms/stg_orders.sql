with

-- a re-exported order (e.g. a late status update) replaces the earlier load
{{ latest_load_ctes(source('oms', 'orders'), 'order_id') }}

cleaned as (

    select
        -- ids
        cast(trim(order_id) as varchar) as order_id,
        cast(trim(customer_id) as varchar) as customer_id,

        -- dates
        cast(order_date as date) as order_date,

        -- strings
        cast({{ clean_code('order_status') }} as varchar) as order_status,

        -- numerics
        cast(total_amount as double) as total_amount,

        -- ids
        cast(trim(product_id) as varchar) as product_id,

        -- numerics
        cast(quantity as bigint) as quantity,

        -- strings
        cast({{ clean_code('channel') }} as varchar) as channel,

        -- timestamps
        cast(_loaded_at as timestamp) as _loaded_at

    from latest_load
    where load_rank = 1

)

select * from cleaned
