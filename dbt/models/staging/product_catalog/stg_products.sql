with

-- the weekly catalog is truncate + insert, but a SKU listed twice still yields one row
{{ latest_load_ctes(source('product_catalog', 'products'), 'product_id') }}

cleaned as (

    select
        -- ids
        cast(trim(product_id) as varchar) as product_id,

        -- strings
        cast({{ clean_text('product_name') }} as varchar) as product_name,
        cast(lower({{ clean_text('category') }}) as varchar) as category,
        cast(lower({{ clean_text('subcategory') }}) as varchar) as subcategory,

        -- numerics
        cast(unit_price as double) as unit_price,

        -- booleans
        cast(is_active as boolean) as is_active,

        -- timestamps
        cast(_loaded_at as timestamp) as _loaded_at

    from latest_load
    where load_rank = 1

)

select * from cleaned
