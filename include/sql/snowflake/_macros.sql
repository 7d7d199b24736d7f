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

{#- A file's value in its column's type: CSV values by position (text, cast by the target
    column), JSON/Parquet values by key. That every value converts exactly (2.5 is no int, an
    object no string) is checked before the COPY (``SnowflakeLoader.precheck``, the DuckDB
    path's rules). Timestamps, with utc_session (the loader's COPY, whose session it sets to
    TIMEZONE = 'UTC', session.sql): read with their offset (TIMESTAMP_TZ) and stored as the UTC
    instant, a timestamp without an offset being UTC. Without it (Snowpipe's COPY, whose
    session zone is the account's): TIMESTAMP_NTZ, right for a timestamp without an offset
    whatever that zone; a file whose offsets that drops is reloaded by the pipe check through
    the loader's COPY (``record_pipe_loads``). -#}
{%- macro file_value(src, c, position, utc_session) -%}
{%- set v = ("$%d" % position) if src.file_format == "csv_gzip" else ("$1:" ~ c.name) -%}
{%- if c.type == "timestamp" and utc_session -%}convert_timezone('UTC', {{ v }}::timestamp_tz)::{{ type(c.type) }}
{%- elif src.file_format == "csv_gzip" -%}{{ v }}
{%- else -%}{{ v }}::{{ type(c.type) }}
{%- endif -%}
{%- endmacro -%}

{#- COPY transformation: the file's columns by position (CSV) or by key (JSON/Parquet). -#}
{%- macro file_columns(src, utc_session) -%}
{%- for c in src.raw_columns -%}{{ file_value(src, c, loop.index, utc_session) }}{{ ", " }}{%- endfor -%}
{%- endmacro -%}

{#- The COPY INTO shared by the per-file load and the Snowpipe definition. -#}
{%- macro copy_into(src, source_file_expr, utc_session) -%}
copy into {{ fq(params.raw_schema, src.name) }} ({{ target_columns(src) }})
from (
    select {{ file_columns(src, utc_session) }}convert_timezone('UTC', current_timestamp())::timestamp_ntz, {{ source_file_expr }}, metadata$file_row_number
    from @{{ stage(src) }}
)
{%- endmacro -%}
