{#
    The staging rules of the two high-volume sources, as macros so the incremental path of
    fct_transactions can apply them to a slice of RAW (stg_transactions and stg_events are these
    macros over all rows; they are the one definition of the cleaning and the dedupe).

    versions=true: every version of each payment instead of its latest (stg_transaction_versions,
    point in time: macros/dedupe_latest.sql, record_versions).

    raw_filter (optional): a predicate on the RAW table's columns. The result is then the staged
    (latest-load) version of every record that has AT LEAST ONE raw load matching the
    predicate; all loads of those keys take part in the dedupe, so "latest load wins" holds
    exactly whatever the predicate. The caller re-filters the staged rows if it needs the
    predicate to hold for the latest version too. A view cannot be filtered below its
    row_number(), hence the macro: the dedupe reads only the loads of the selected keys.
#}
{% macro staged_transactions(raw_filter=none, versions=false) -%}
{%- set raw = source('payments', 'transactions') -%}
-- micro-batches can re-deliver a payment attempt (e.g. pending -> success); latest wins
{% call staged_latest(raw, 'transaction_id', raw_filter, versions) %}
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
    cast({{ clean_text('merchant_id') }} as varchar) as merchant_id
{% endcall %}
{%- endmacro %}

{% macro staged_events(raw_filter=none) -%}
{%- set raw = source('web_analytics', 'events') -%}
-- an hourly batch delivered twice must not double-count events; latest load wins
{% call staged_latest(raw, 'event_id', raw_filter) %}
    -- ids
    cast(trim(event_id) as varchar) as event_id,
    cast({{ clean_text('customer_id') }} as varchar) as customer_id,
    cast({{ clean_text('session_id') }} as varchar) as session_id,

    -- strings
    cast({{ clean_code('event_type', separator='_') }} as varchar) as event_type,
    cast({{ clean_text('page_url') }} as varchar) as page_url,

    -- timestamps
    cast(event_timestamp as timestamp) as event_timestamp,

    -- strings
    cast({{ clean_code('device_type') }} as varchar) as device_type,
    cast(lower({{ clean_text('browser') }}) as varchar) as browser
{% endcall %}
{%- endmacro %}

{#
    Load time of the first RAW load of any of the given payments (transaction_ids_sql: a query
    returning cleaned transaction ids). The incremental watermark of fct_transactions.
#}
{% macro transactions_first_loaded_at(transaction_ids_sql) -%}
    select min(_loaded_at) from {{ source('payments', 'transactions') }}
    where trim(transaction_id) in ({{ transaction_ids_sql }})
{%- endmacro %}
