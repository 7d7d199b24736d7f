{%- import "duckdb/_macros.sql" as m -%}
-- COPY INTO semantics for one file: the file's columns plus _loaded_at, _source_file, _source_row_number.
insert into {{ params.raw_schema }}.{{ src.name }} (
    {%- for c in src.raw_columns %}"{{ c.name }}", {% endfor %}"_loaded_at", "_source_file", "_source_row_number")
select
    {%- for c in src.raw_columns %} "{{ c.name }}",{% endfor %}
    $loaded_at::timestamp,
    $source_file,
    _rn
from {{ m.reader(src, path) }}
