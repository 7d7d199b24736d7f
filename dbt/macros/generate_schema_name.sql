{#
    Models land in the schema named by their folder's +schema (staging, marts, features,
    snapshots) on every target, not in <target_schema>_<custom>. Without a custom schema a
    model falls back to the target's schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
