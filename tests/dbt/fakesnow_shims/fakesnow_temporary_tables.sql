{#
    TESTS ONLY (fakesnow gap, see tests/dbt/fakesnow_runner.py): fakesnow 0.12 maps Snowflake
    onto DuckDB, where a TEMPORARY table cannot carry a database/schema qualifier
    ("TEMPORARY table names can *only* use the temp catalog"). dbt-snowflake creates its
    temporary tables (unit-test fixtures, incremental staging) fully qualified, so here they
    become ordinary tables with the same qualified name; dbt drops them as it does temporaries.
    Never on the production macro path.
#}
{% macro snowflake__create_table_temporary_sql(relation, compiled_code) -%}
{%- set sql_header = config.get('sql_header', none) -%}
{{ sql_header if sql_header is not none }}

create or replace table {{ relation }}
as (
    {{ compiled_code }}
    )
;
{%- endmacro %}

{#
    TESTS ONLY (same fakesnow gap, for views): the incremental materialization stages the new
    rows of a merge in a temporary view; under fakesnow it is an ordinary view.
#}
{% macro snowflake__create_view_as_with_temp_flag(relation, sql, is_temporary=False) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {{ sql_header if sql_header is not none }}
  create or replace view {{ relation }}
  {%- set contract_config = config.get('contract') -%}
  {%- if contract_config.enforced -%}
    {{ get_assert_columns_equivalent(sql) }}
  {%- endif %}
  as (
    {{ sql }}
  );
{%- endmacro %}
