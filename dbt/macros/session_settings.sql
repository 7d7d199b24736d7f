{#
    Engine settings of every dbt invocation (on-run-start), per adapter. DuckDB: tables carry no
    row order (every consumer that needs one orders explicitly: ML features by customer_id, the
    exports by date and id), so DuckDB need not preserve insertion order, which lets it build
    tables from all threads at once and with less memory. Snowflake: nothing to set.
#}
{% macro session_settings() -%}
    {{ return(adapter.dispatch('session_settings', 'customer360')()) }}
{%- endmacro %}

{% macro default__session_settings() -%}
    select 1
{%- endmacro %}

{% macro duckdb__session_settings() -%}
    set global preserve_insertion_order = false
{%- endmacro %}
