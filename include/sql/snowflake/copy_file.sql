{%- import "snowflake/_macros.sql" as m with context -%}
-- COPY INTO one named file of the stage (FILES=, never PATTERN=): all or nothing for that file.
{{ m.copy_into(src, "'" ~ key ~ "'") }}
files = ('{{ stage_path }}')
file_format = (format_name = '{{ m.file_format(src) }}')
on_error = abort_statement;
