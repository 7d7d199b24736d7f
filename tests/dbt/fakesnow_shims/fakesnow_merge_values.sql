{#
    TESTS ONLY (fakesnow gap): fakesnow 0.12 rewrites MERGE into joins of target and source, so
    the unqualified column names dbt puts in `when not matched then insert (...) values (...)`
    become ambiguous ("Ambiguous reference to column name"). These shims generate dbt's own
    merge statements and only qualify those VALUES with DBT_INTERNAL_SOURCE, which real
    Snowflake reads the same way. They also drop dbt-snowflake's explicit begin/commit around
    the MERGE: inside a transaction fakesnow also writes its own bookkeeping database, which
    DuckDB refuses ("a single transaction can only write to a single attached database").
    Never on the production macro path.
#}
{% macro _fakesnow_qualify_merge_values(dml, columns_csv) -%}
    {%- set qualified = [] -%}
    {%- for column in columns_csv.split(',') -%}
        {%- do qualified.append('DBT_INTERNAL_SOURCE.' ~ column | trim) -%}
    {%- endfor -%}
    {%- set pattern = 'values\\s*\\(\\s*' ~ modules.re.escape(columns_csv) ~ '\\s*\\)' -%}
    {{ return(modules.re.sub(pattern, 'values (' ~ qualified | join(', ') ~ ')', dml)) }}
{%- endmacro %}

{% macro snowflake__get_merge_sql(target, source_sql, unique_key, dest_columns, incremental_predicates) -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    {%- set dml = default__get_merge_sql(target, source_sql, unique_key, dest_columns, incremental_predicates) -%}
    {%- do return(_fakesnow_qualify_merge_values(dml, dest_cols_csv)) -%}
{%- endmacro %}

{% macro snowflake__snapshot_merge_sql(target, source, insert_cols) -%}
    {%- set dml = default__snapshot_merge_sql(target, source, insert_cols) -%}
    {%- do return(_fakesnow_qualify_merge_values(dml, insert_cols | join(', '))) -%}
{%- endmacro %}
