{%- import "snowflake/_macros.sql" as m with context -%}
-- COPY INTO one named file of the stage (FILES=, never PATTERN=): all or nothing for that file.
-- force: a changed file we decided to reload (its previous rows are deleted in the same transaction).
{{ m.copy_into(src, "'" ~ key ~ "'") }}
files = ('{{ stage_path }}')
file_format = (format_name = '{{ m.file_format(src) }}')
on_error = abort_statement
{%- if force | default(false) %}
force = true
{%- endif %};
