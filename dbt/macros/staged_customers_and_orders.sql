{#
    The staging rules of the CRM customers and the OMS orders, as macros: stg_customers and
    stg_orders are their latest version per key, stg_customer_versions and stg_order_versions
    (versions=true) every version with its landing day, for the point-in-time models (a
    customer's account status, an order's status as they stood on a past day).
#}
{% macro staged_customers(versions=false) -%}
-- customers are delta exports: a re-exported customer (e.g. changed kyc/account status)
-- appears again in a later file; the latest load wins
{% call staged_latest(source('crm', 'customers'), 'customer_id', versions=versions) %}
    -- ids
    cast(trim(customer_id) as varchar) as customer_id,

    -- strings
    cast(lower({{ clean_text('first_name') }}) as varchar) as first_name,
    cast(lower({{ clean_text('last_name') }}) as varchar) as last_name,
    cast(lower({{ clean_text('email') }}) as varchar) as email,
    cast({{ clean_text('phone') }} as varchar) as phone,

    -- dates
    cast(signup_date as date) as signup_date,

    -- strings (codes)
    cast(upper({{ clean_text('state') }}) as varchar) as state,
    cast(upper({{ clean_text('country') }}) as varchar) as country,
    cast({{ clean_code('kyc_status') }} as varchar) as kyc_status,
    cast({{ clean_code('account_status') }} as varchar) as account_status,
    cast(coalesce({{ clean_code('preferred_language') }}, 'en') as varchar) as preferred_language
{% endcall %}
{%- endmacro %}

{% macro staged_orders(versions=false) -%}
-- a re-exported order (e.g. a late status update) replaces the earlier load
{% call staged_latest(source('oms', 'orders'), 'order_id', versions=versions) %}
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
    cast({{ clean_code('channel') }} as varchar) as channel
{% endcall %}
{%- endmacro %}
