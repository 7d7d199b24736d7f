delete from {{ params.database }}.{{ params.raw_schema }}.{{ src.name }} where _source_file = '{{ key }}';
