delete from {{ params.raw_schema }}.{{ src.name }} where "_source_file" = $source_file
