{%- import "duckdb/_macros.sql" as m -%}
-- Schemas, RAW tables (from the registry's raw_table_columns) and the load history. Idempotent.
create schema if not exists {{ params.raw_schema }};
create schema if not exists {{ params.meta_schema }};
{% for src in sources %}
create table if not exists {{ params.raw_schema }}.{{ src.name }} (
{%- for c in src.raw_table_columns %}
    "{{ c.name }}" {{ m.type(c.type) }}{{ "," if not loop.last }}
{%- endfor %}
);
{% endfor %}
{% include "duckdb/load_history_table.sql" %}
