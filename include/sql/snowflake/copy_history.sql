{%- import "snowflake/_macros.sql" as m with context -%}
-- What the pipe loaded (or failed to) into the RAW table since start_time.
select file_name, stage_location, status, row_count, first_error_message,
       first_error_line_number, first_error_column_name, last_load_time
from table({{ ident(params.database) }}.information_schema.copy_history(
    table_name => {{ lit(m.fq(params.raw_schema, src.name)) }},
    start_time => to_timestamp_ltz({{ lit(start_time) }})))
order by last_load_time;
