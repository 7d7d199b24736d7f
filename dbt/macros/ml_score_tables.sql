{#
    The contract between dbt and ML scoring is the `ml` source (models/staging/ml/_ml__sources.yml):
    its tables, columns and data types, which ML scoring (include/c360/ml/contract.py) and the
    tests read too. Scoring (a separate step, after the feature models) writes one table per
    model in schema `ml`; fct_customer_value left-joins the latest score per customer. This
    on-run-start hook creates the empty tables from the source's columns if they are missing, so
    the very first build works before any scoring ran (the ML columns are then null).
#}
{% macro ml_score_column_type(data_type) -%}
    {%- set types = {
        'varchar': dbt.type_string(),
        'integer': dbt.type_int(),
        'double': 'double',
        'boolean': dbt.type_boolean(),
        'timestamp': dbt.type_timestamp(),
    } -%}
    {%- if data_type not in types -%}
        {{ exceptions.raise_compiler_error("ml source column type '" ~ data_type ~ "' has no DDL type") }}
    {%- endif -%}
    {{ return(types[data_type]) }}
{%- endmacro %}

{% macro create_ml_score_tables() -%}
    {%- if execute -%}
        {%- set schema = 'ml' -%}
        {%- do adapter.create_schema(api.Relation.create(database=target.database, schema=schema)) -%}
        {%- for table in graph.sources.values() | selectattr('source_name', 'equalto', 'ml') -%}
            {%- set relation = api.Relation.create(database=target.database, schema=schema, identifier=table.name) -%}
            {%- set sql -%}
                create table if not exists {{ relation }} (
                {%- for column in table.columns.values() %}
                    {{ column.name }} {{ ml_score_column_type(column.data_type) }}{{ "," if not loop.last }}
                {%- endfor %}
                )
            {%- endset -%}
            {%- do run_query(sql) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#
    The rows of `scores` (a CTE over one score table) from its latest scoring run on or before
    `scored_by`: customer_id and `columns`; none when no run is that old.
#}
{% macro latest_scoring_run(scores, columns, scored_by) -%}
    select
        customer_id,
        {{ columns | join(',\n        ') }}
    from {{ scores }}
    where scored_at = (
        select max(scored_at) from {{ scores }}
        where cast(scored_at as date) <= {{ scored_by }}
    )
{%- endmacro %}
