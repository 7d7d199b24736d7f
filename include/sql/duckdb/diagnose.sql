{%- import "duckdb/_macros.sql" as m -%}
-- The first record with a value that does not convert exactly to its column's type: its row,
-- which columns fail, every column's value as text and how it is stored (the JSON type of an
-- NDJSON value, the Parquet column's type, VARCHAR for CSV).
select _rn, [
    {%- for c in src.raw_columns %}
    case when {{ m.is_bad(src, c) }} then '{{ c.name }}' end{{ "," if not loop.last }}
    {%- endfor %}
]::varchar[] as bad, [
    {%- for c in src.raw_columns %}{{ m.stored_text(src, c) }}{{ "," if not loop.last }}{% endfor %}
]::varchar[] as vals, [
    {%- for c in src.raw_columns %}
    {%- if src.file_format == "ndjson_gzip" %}json_type(_record, '$."{{ c.name }}"')
    {%- else %}typeof("{{ c.name }}")
    {%- endif %}{{ "," if not loop.last }}
    {%- endfor %}
]::varchar[] as kinds
from {{ m.stored(src, path) }}
where false
{%- for c in src.raw_columns %}
    or {{ m.is_bad(src, c) }}
{%- endfor %}
order by _rn
limit 1
