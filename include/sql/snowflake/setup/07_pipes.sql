{%- import "snowflake/_macros.sql" as m with context -%}
-- Snowpipe auto-ingest for the near-realtime sources (S3 event notifications -> the pipe's SQS queue).
{% for src in snowpipe_sources -%}
create pipe if not exists {{ m.fq(params.raw_schema, src.name ~ "_pipe") }}
    auto_ingest = true
    as
{{ m.copy_into(src, lit(src.name ~ "/") ~ " || metadata$filename", utc_session=false) }}
file_format = (format_name = '{{ m.file_format(src) }}')
on_error = skip_file;
{% endfor %}
