{%- import "duckdb/_macros.sql" as m -%}
-- The first record with a timestamp whose offset or zone a cast to a timestamp without time
-- zone (Snowflake's TIMESTAMP_NTZ, Snowpipe's COPY) drops: its wall clock is not its UTC instant
-- ('2024-12-10T11:04:37+05:00'; not '...Z', '...+00:00' or a timestamp without one). Its row,
-- the column and the value as text. Run on a connection whose TimeZone is UTC.
select _rn, case
    {%- for c in src.raw_columns if c.type == "timestamp" %}
    when {{ m.dropped_offset(src, c) }} then '{{ c.name }}'
    {%- endfor %}
    end as col, case
    {%- for c in src.raw_columns if c.type == "timestamp" %}
    when {{ m.dropped_offset(src, c) }} then {{ m.stored_text(src, c) }}
    {%- endfor %}
    end as val
from {{ m.stored(src, path) }}
where false
{%- for c in src.raw_columns if c.type == "timestamp" %}
    or {{ m.dropped_offset(src, c) }}
{%- endfor %}
order by _rn
limit 1
