{%- import "duckdb/_macros.sql" as m -%}
-- COPY INTO semantics for a batch of whole files ($paths, landing keys $keys in the same order):
-- the files' columns plus _loaded_at, _source_file (landing key) and _source_row_number
-- (1-based row inside its file; _rn counts across the batch in file order, so subtract the
-- file's first _rn; Parquet's _rn is already per file).
insert into {{ params.raw_schema }}.{{ src.name }} (
    {%- for c in src.raw_columns %}"{{ c.name }}", {% endfor %}"_loaded_at", "_source_file", "_source_row_number")
select
    {%- for c in src.raw_columns %} "{{ c.name }}",{% endfor %}
    $loaded_at::timestamp,
    $keys[list_position($paths, filename)],
{%- if src.file_format == "parquet" %}
    _rn
{%- else %}
    _rn - min(_rn) over (partition by filename) + 1
{%- endif %}
from {{ m.reader(src, "$paths", filename=true) }}
