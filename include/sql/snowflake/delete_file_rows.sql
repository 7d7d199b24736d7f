delete from {{ ident(params.database) }}.{{ ident(params.raw_schema) }}.{{ ident(src.name) }} where _source_file = {{ lit(key) }};
