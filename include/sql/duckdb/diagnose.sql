{%- import "duckdb/_macros.sql" as m -%}
-- The first row with a value that does not convert to its column's type, and which columns fail.
select _rn, [
    {%- for c in src.raw_columns %}
    case when "{{ c.name }}" is not null and try_cast("{{ c.name }}" as {{ m.type(c.type) }}) is null
         then '{{ c.name }}' end{{ "," if not loop.last }}
    {%- endfor %}
]::varchar[] as bad, [
    {%- for c in src.raw_columns %}"{{ c.name }}"{{ "," if not loop.last }}{% endfor %}
]::varchar[] as vals
from {{ m.reader(src, path, all_varchar=true) }}
where false
{%- for c in src.raw_columns %}
    or ("{{ c.name }}" is not null and try_cast("{{ c.name }}" as {{ m.type(c.type) }}) is null)
{%- endfor %}
order by _rn
limit 1
