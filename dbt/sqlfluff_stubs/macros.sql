{#
    Lint-time stand-ins for the project's macros (sqlfluff's jinja templater cannot run
    adapter.dispatch or dbt's context). They render SQL of the same shape as the real macros
    in ../macros; they are never used by dbt itself.
#}
{% macro as_of_date() %}cast('2026-11-24' as date){% endmacro %}
{% macro clean_code(column, separator='-') %}nullif(replace(lower(trim({{ column }})), ' ', '{{ separator }}'), ''){% endmacro %}
{% macro clean_text(column) %}nullif(trim({{ column }}), ''){% endmacro %}
{% macro latest_load_order() %}_loaded_at desc, _source_file desc, _source_row_number desc{% endmacro %}
{% macro minmax_norm(expression) %}coalesce(({{ expression }}) / nullif(max({{ expression }}) over (), 0), 0.0){% endmacro %}
{% macro hour_of_day(column) %}extract(hour from {{ column }}){% endmacro %}
{% macro seconds_between(start_ts, end_ts) %}date_diff('second', {{ start_ts }}, {{ end_ts }}){% endmacro %}
{% macro natural_log(expression) %}ln({{ expression }}){% endmacro %}
{% macro rfm_segment(recency, frequency, monetary, total_orders) %}case when {{ recency }} >= 4 then 'Champions' else 'Lost' end{% endmacro %}
{% macro c360_incremental_strategy() %}merge{% endmacro %}
{% macro run_started_at_timestamp() %}cast('2026-11-24 02:00:00' as timestamp){% endmacro %}
