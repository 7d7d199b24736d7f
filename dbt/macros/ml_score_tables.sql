{#
    The contract between dbt and ML scoring. Scoring (a separate step, after the feature models)
    writes one table per model in schema `ml`; fct_customer_value left-joins the latest score
    per customer. This on-run-start hook creates the empty tables if they are missing, so the
    very first build works before any scoring ran (the ML columns are then null).
#}
{% macro ml_score_table_columns() -%}
    {{ return({
        'customer_segments': [
            ('customer_id', dbt.type_string()),
            ('customer_segment', dbt.type_string()),
            ('cluster_id', dbt.type_int()),
            ('model_version', dbt.type_string()),
            ('scored_at', dbt.type_timestamp()),
        ],
        'customer_risk_scores': [
            ('customer_id', dbt.type_string()),
            ('risk_score', "double"),
            ('is_high_risk_customer', dbt.type_boolean()),
            ('model_version', dbt.type_string()),
            ('scored_at', dbt.type_timestamp()),
        ],
        'customer_churn_scores': [
            ('customer_id', dbt.type_string()),
            ('churn_probability', "double"),
            ('model_version', dbt.type_string()),
            ('scored_at', dbt.type_timestamp()),
        ],
        'customer_ltv_scores': [
            ('customer_id', dbt.type_string()),
            ('predicted_ltv', "double"),
            ('model_version', dbt.type_string()),
            ('scored_at', dbt.type_timestamp()),
        ],
    }) }}
{%- endmacro %}

{% macro create_ml_score_tables() -%}
    {%- if execute -%}
        {%- set schema = 'ml' -%}
        {%- do adapter.create_schema(api.Relation.create(database=target.database, schema=schema)) -%}
        {%- for table, columns in ml_score_table_columns().items() -%}
            {%- set relation = api.Relation.create(database=target.database, schema=schema, identifier=table) -%}
            {%- set sql -%}
                create table if not exists {{ relation }} (
                {%- for name, data_type in columns %}
                    {{ name }} {{ data_type }}{{ "," if not loop.last }}
                {%- endfor %}
                )
            {%- endset -%}
            {%- do run_query(sql) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
