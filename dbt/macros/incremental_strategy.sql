{#
    Incremental strategy per adapter. Snowflake and DuckDB (>= 1.4, MERGE INTO) upsert with
    merge on the unique key; adapters without MERGE fall back to delete+insert.
#}
{% macro c360_incremental_strategy() -%}
    {{ return(adapter.dispatch('c360_incremental_strategy', 'customer360')()) }}
{%- endmacro %}

{% macro default__c360_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro duckdb__c360_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{% macro snowflake__c360_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}
