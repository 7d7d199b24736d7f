{# Hour of day (0-23) of a timestamp. #}
{% macro hour_of_day(column) -%}
    {{ return(adapter.dispatch('hour_of_day', 'customer360')(column)) }}
{%- endmacro %}

{% macro default__hour_of_day(column) -%}
    extract(hour from {{ column }})
{%- endmacro %}

{% macro snowflake__hour_of_day(column) -%}
    hour({{ column }})
{%- endmacro %}

{# Elapsed whole seconds between two timestamps. #}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ dbt.datediff(start_ts, end_ts, 'second') }}
{%- endmacro %}

{# Natural logarithm. #}
{% macro natural_log(expression) -%}
    {{ return(adapter.dispatch('natural_log', 'customer360')(expression)) }}
{%- endmacro %}

{% macro default__natural_log(expression) -%}
    ln({{ expression }})
{%- endmacro %}
