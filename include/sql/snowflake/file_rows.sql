-- The rows RAW holds from one file (a file Snowflake's load metadata says it loaded already).
select count(*) from {{ ident(params.database) }}.{{ ident(params.raw_schema) }}.{{ ident(src.name) }} where _source_file = {{ lit(key) }};
