{%- import "snowflake/_macros.sql" as m with context -%}
-- RAW tables: the registry's raw columns plus the COPY metadata columns.
{% for src in sources -%}
create table if not exists {{ m.fq(params.raw_schema, src.name) }} (
{%- for c in src.raw_table_columns %}
    {{ c.name }} {{ m.type(c.type) }}{{ "," if not loop.last }}
{%- endfor %}
);
{% endfor %}
