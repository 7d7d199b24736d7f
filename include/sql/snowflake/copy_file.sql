{%- import "snowflake/_macros.sql" as m with context -%}
-- COPY INTO one named file of the stage (FILES=, never PATTERN=): all or nothing for that file.
-- force: a changed file we decided to reload (its previous rows are deleted in the same transaction).
-- load_uncertain_files: the load history decides; a file older than Snowflake's 64-day load
-- metadata that our history does not have is loaded, not skipped.
-- utc_session: run after session.sql (TIMEZONE = 'UTC'): timestamps are stored as UTC instants.
{{ m.copy_into(src, lit(key), utc_session=true) }}
files = ({{ lit(stage_path) }})
file_format = (format_name = '{{ m.file_format(src) }}')
on_error = abort_statement
load_uncertain_files = true
{%- if force | default(false) %}
force = true
{%- endif %};
