{#
    The business rules of customer activity, defined once: what counts as a completed order, a
    successful purchase, an identified event, a high-priority ticket, and the per-customer order
    totals and per-session rollup built from them. The customer models (int_customer_orders,
    int_customer_transactions, int_session_features, ...) apply them to all of the data; the
    point-in-time model feat_customer_history applies the same macros to the data as it stood
    at each snapshot date (`by` adds its snapshot_date to the grouping).
#}

{# An order that counts toward counts, value and recency: cancelled, returned and pending do not. #}
{% macro is_completed_order(orders=none) -%}
    {{ orders ~ '.' if orders }}order_status = 'completed'
{%- endmacro %}

{# A payment that is customer spend: a successful purchase (not a refund, reversal or fee). #}
{% macro is_successful_purchase() -%}
    transaction_type = 'purchase' and status = 'success'
{%- endmacro %}

{# A clickstream event of a known customer inside a session (anonymous events are not activity). #}
{% macro is_identified_event() -%}
    customer_id is not null and session_id is not null
{%- endmacro %}

{# KYC gates transaction eligibility (the spec): only a verified customer may transact. #}
{% macro is_kyc_eligible(kyc_status='kyc_status') -%}
    coalesce({{ kyc_status }} = 'verified', false)
{%- endmacro %}

{# An active account: the spec's active population ("account_status = active"). #}
{% macro is_active_account(account_status='account_status') -%}
    coalesce({{ account_status }} = 'active', false)
{%- endmacro %}

{# A ticket the customer raised as urgent. #}
{% macro is_high_priority_ticket() -%}
    priority in ('high', 'critical')
{%- endmacro %}

{#
    Per customer (and `by` columns): placed_orders (every status), completed_orders,
    cancelled_orders, first_order_date, last_order_date (of completed orders) and
    total_order_value (sum of completed orders' total_amount; null without one). orders: a
    relation or CTE with customer_id, order_date, order_status, total_amount.
#}
{% macro customer_order_totals(orders, by=[]) -%}
    {% call aggregated_to_customers(orders, by) %}
        count(*) as placed_orders,
        sum(case when {{ is_completed_order() }} then 1 else 0 end) as completed_orders,
        sum(case when order_status = 'cancelled' then 1 else 0 end) as cancelled_orders,
        min(case when {{ is_completed_order() }} then order_date end) as first_order_date,
        max(case when {{ is_completed_order() }} then order_date end) as last_order_date,
        sum(case when {{ is_completed_order() }} then total_amount end) as total_order_value
    {% endcall %}
{%- endmacro %}

{#
    One row per session (and `by` columns) of identified events: session_start / session_end
    (first / last event), page_views, events, is_mobile (1 when any event came from a mobile
    device). events: a relation or CTE with the staged event columns.
#}
{% macro customer_sessions(events, by=[]) -%}
    {%- set group_by = by + ['customer_id', 'session_id'] -%}
    select
        {{ group_by | join(',\n        ') }},
        min(event_timestamp) as session_start,
        max(event_timestamp) as session_end,
        sum(case when event_type = 'page_view' then 1 else 0 end) as page_views,
        count(*) as events,
        max(case when device_type = 'mobile' then 1 else 0 end) as is_mobile
    from {{ events }}
    where {{ is_identified_event() }}
    group by {{ group_by | join(', ') }}
{%- endmacro %}
