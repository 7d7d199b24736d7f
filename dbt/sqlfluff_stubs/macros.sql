{#
    Lint-time stand-ins for the project's macros (sqlfluff's jinja templater cannot run
    adapter.dispatch or dbt's context). They render SQL of the same shape as the real macros
    in ../macros; they are never used by dbt itself.
#}
{% macro as_of_date() %}cast('2026-11-24' as date){% endmacro %}
{% macro clean_code(column, separator='-') %}nullif(replace(lower(trim({{ column }})), ' ', '{{ separator }}'), ''){% endmacro %}
{% macro clean_text(column) %}nullif(trim({{ column }}), ''){% endmacro %}
{% macro latest_load_ctes(relation, key, raw_filter=none) %}source as (

    select * from {{ relation }}

),

latest_load as (

    select
        *,
        row_number() over (partition by {{ key }} order by _loaded_at desc) as load_rank
    from source

),{% endmacro %}
{% macro latest_load_order() %}_loaded_at desc, _source_file desc, _source_row_number desc{% endmacro %}
{% macro minmax_norm(expression) %}coalesce(({{ expression }}) / nullif(max({{ expression }}) over (), 0), 0.0){% endmacro %}
{% macro hour_of_day(column) %}extract(hour from {{ column }}){% endmacro %}
{% macro seconds_between(start_ts, end_ts) %}date_diff('second', {{ start_ts }}, {{ end_ts }}){% endmacro %}
{% macro natural_log(expression) %}ln({{ expression }}){% endmacro %}
{% macro rfm_segment(recency, frequency, monetary, total_orders) %}case when {{ recency }} >= 4 then 'Champions' else 'Lost' end{% endmacro %}
{% macro c360_incremental_strategy() %}merge{% endmacro %}
{% macro run_started_at_timestamp() %}cast('2026-11-24 02:00:00' as timestamp){% endmacro %}
{% macro staged_transactions(raw_filter=none, versions=false) %}select transaction_id, customer_id, order_id, transaction_date, amount, currency, payment_method, transaction_type, status, merchant_id, _loaded_at from raw.transactions{% if raw_filter %} where {{ raw_filter }}{% endif %}{% endmacro %}
{% macro staged_events(raw_filter=none) %}select event_id, customer_id, session_id, event_type, page_url, event_timestamp, device_type, browser, _loaded_at from raw.events{% if raw_filter %} where {{ raw_filter }}{% endif %}{% endmacro %}
{% macro transactions_first_loaded_at(transaction_ids_sql) %}select min(_loaded_at) from raw.transactions where trim(transaction_id) in ({{ transaction_ids_sql }}){% endmacro %}
{% macro transaction_fraud_signals(transactions, history, events, customer_transactions) %}select transaction_id, customer_id, transaction_day, amount, day_transactions, day_spend, is_night, is_cross_border, is_unusual_amount, is_new_device_day, is_high_velocity_day, is_failed, signal_count from {{ transactions }} left join {{ history }} using (customer_id) left join {{ events }} using (customer_id) left join {{ customer_transactions }} using (customer_id){% endmacro %}
{% macro avg_purchase_amount() %}avg(case when transaction_type = 'purchase' then amount end){% endmacro %}
{% macro is_completed_order(orders=none) %}{{ orders ~ '.' if orders }}order_status = 'completed'{% endmacro %}
{% macro is_successful_purchase() %}transaction_type = 'purchase' and status = 'success'{% endmacro %}
{% macro is_identified_event() %}customer_id is not null and session_id is not null{% endmacro %}
{% macro is_high_priority_ticket() %}priority in ('high', 'critical'){% endmacro %}
{% macro customer_order_totals(orders, by=[]) %}select {{ (by + ['customer_id']) | join(', ') }}, count(*) as placed_orders, count(*) as completed_orders, count(*) as cancelled_orders, min(order_date) as first_order_date, max(order_date) as last_order_date, sum(total_amount) as total_order_value from {{ orders }} group by {{ (by + ['customer_id']) | join(', ') }}{% endmacro %}
{% macro customer_sessions(events, by=[]) %}select {{ (by + ['customer_id', 'session_id']) | join(', ') }}, min(event_timestamp) as session_start, max(event_timestamp) as session_end, count(*) as page_views, count(*) as events, max(1) as is_mobile from {{ events }} group by {{ (by + ['customer_id', 'session_id']) | join(', ') }}{% endmacro %}
{% macro transactions_in_usd(transactions, extra_columns=[]) %}select transaction_id, customer_id, order_id, transaction_date, amount, amount as amount_local, currency, currency as customer_home_currency, payment_method, transaction_type, status, merchant_id, _loaded_at{% for column in extra_columns %}, {{ column }}{% endfor %} from {{ transactions }}{% endmacro %}
{% macro staged_customers(versions=false) %}select customer_id, first_name, last_name, email, phone, signup_date, state, country, kyc_status, account_status, preferred_language, _loaded_at from raw.customers{% endmacro %}
{% macro staged_orders(versions=false) %}select order_id, customer_id, order_date, order_status, total_amount, product_id, quantity, channel, _loaded_at from raw.orders{% endmacro %}
{% macro version_as_of(versions, day) %}{{ versions }}._landed_on <= {{ day }} and ({{ versions }}._superseded_on is null or {{ versions }}._superseded_on > {{ day }}){% endmacro %}
{% macro is_active_account(account_status='account_status') %}coalesce({{ account_status }} = 'active', false){% endmacro %}
{% macro churn_band(probability) %}case when {{ probability }} > 0.7 then 'high' else 'low' end{% endmacro %}
{% macro is_kyc_eligible(kyc_status='kyc_status') %}coalesce({{ kyc_status }} = 'verified', false){% endmacro %}
{% macro staged_latest(relation, key, raw_filter=none, versions=false) %}with latest_load as (select * from {{ relation }}) select {{ caller() | trim }}, cast(_loaded_at as timestamp) as _loaded_at from latest_load{% endmacro %}
{% macro join_on_keys(spine, relations, keys=['customer_id'], kind='left') %}{% for relation in relations %} {{ kind }} join {{ relation }} on {% for key in keys %}{{ spine }}.{{ key }} = {{ relation.split(' ')[-1] }}.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}{% endfor %}{% endmacro %}
{% macro latest_scoring_run(scores, columns, scored_by) %}select customer_id, {{ columns | join(', ') }} from {{ scores }} where scored_at = (select max(scored_at) from {{ scores }}){% endmacro %}
{% macro aggregated_to_customers(relation, by=[]) %}select {{ (by + ['customer_id']) | join(', ') }}, {{ caller() | trim }} from {{ relation }} group by {{ (by + ['customer_id']) | join(', ') }}{% endmacro %}
