select system$pipe_status('{{ params.database }}.{{ params.raw_schema }}.{{ src.name }}_pipe') as status;
