{#
    The reference date of every "current date" (recency, tenure). Comes from var('as_of_date')
    (Airflow passes the run's date, backfills pass theirs); unset, it is the UTC date the dbt
    invocation started, so every model of one run uses the same date.
#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or value | string | trim == '' -%}
        {%- set value = run_started_at.strftime('%Y-%m-%d') -%}
    {%- endif -%}
    {%- set value = value | string | trim -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) is none -%}
        {{ exceptions.raise_compiler_error("var('as_of_date') must be YYYY-MM-DD, got '" ~ value ~ "'") }}
    {%- endif -%}
    cast('{{ value }}' as date)
{%- endmacro %}

{# When this dbt invocation started (UTC), as a timestamp literal: the same value in every model of a run. #}
{% macro run_started_at_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endmacro %}
