{#
    Post-hook of every model and snapshot (dbt_project.yml): on Snowflake, attach the masking
    policy that the c360_setup DAG creates (include/sql/snowflake/setup/08_pii_masking.sql) to
    this relation's columns marked `meta: {pii: true}`. A rebuilt table loses its column
    policies, so this runs after every build; FORCE replaces a policy already attached.
    var pii_masking_policy: the policy's name (default <database>.raw_meta.pii_string; '' turns
    masking off). Other targets (the local DuckDB warehouse): nothing, DuckDB has no masking.
#}
{% macro mask_pii_columns() -%}
    {%- set policy = var('pii_masking_policy', target.database ~ '.raw_meta.pii_string') -%}
    {%- set materialized = config.get('materialized') -%}
    {%- set pii = model.columns.values() | selectattr('meta.pii') | map(attribute='name') | list -%}
    {%- if target.type == 'snowflake' and policy and pii and materialized != 'ephemeral' -%}
        {%- for column in pii %}
        alter {{ 'view' if materialized == 'view' else 'table' }} {{ this }} modify column {{ column }}
            set masking policy {{ policy }} force;
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
