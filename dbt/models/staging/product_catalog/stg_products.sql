-- the weekly catalog is truncate + insert, but a SKU listed twice still yields one row
{% call staged_latest(source('product_catalog', 'products'), 'product_id') %}
    -- ids
    cast(trim(product_id) as varchar) as product_id,

    -- strings
    cast({{ clean_text('product_name') }} as varchar) as product_name,
    cast(lower({{ clean_text('category') }}) as varchar) as category,
    cast(lower({{ clean_text('subcategory') }}) as varchar) as subcategory,

    -- numerics
    cast(unit_price as double) as unit_price,

    -- booleans
    cast(is_active as boolean) as is_active
{% endcall %}
