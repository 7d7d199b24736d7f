{#- Snowflake spellings of the spec's logical types (include/c360/warehouse/types.py), file
    formats and stage names. -#}
{%- macro type(t) -%}{{ sql_type("snowflake", t) }}{%- endmacro -%}

{%- macro fq(schema, name) -%}{{ ident(params.database) }}.{{ ident(schema) }}.{{ ident(name) }}{%- endmacro -%}

{%- macro file_format(src) -%}
{{ fq(params.raw_schema, {"csv_gzip": "ff_csv_gzip", "ndjson_gzip": "ff_ndjson_gzip", "parquet": "ff_parquet"}[src.file_format]) }}
{%- endmacro -%}

{%- macro stage(src) -%}{{ fq(params.raw_schema, "landing_" ~ src.name) }}{%- endmacro -%}

{%- macro target_columns(src) -%}
{%- for c in src.raw_table_columns %}{{ c.name }}{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro -%}

{#- COPY transformation: the file's columns by position (CSV) or by key (JSON/Parquet). -#}
{%- macro file_columns(src) -%}
{%- for c in src.raw_columns -%}
{%- if src.file_format == "csv_gzip" -%}${{ loop.index }}
{%- else -%}$1:{{ c.name }}::{{ type(c.type) }}
{%- endif %}{{ ", " }}
{%- endfor -%}
{%- endmacro -%}

{#- The COPY INTO shared by the per-file load and the Snowpipe definition. -#}
{%- macro copy_into(src, source_file_expr) -%}
copy into {{ fq(params.raw_schema, src.name) }} ({{ target_columns(src) }})
from (
    select {{ file_columns(src) }}convert_timezone('UTC', current_timestamp())::timestamp_ntz, {{ source_file_expr }}, metadata$file_row_number
    from @{{ stage(src) }}
)
{%- endmacro -%}
