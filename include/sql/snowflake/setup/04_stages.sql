{%- import "snowflake/_macros.sql" as m with context -%}
-- One external stage per source on its landing prefix, with its file format.
{% for src in sources -%}
create stage if not exists {{ m.stage(src) }}
    url = {{ url(params.landing_url.rstrip("/") ~ "/" ~ src.name ~ "/") }}
    {%- if params.storage_integration %}
    storage_integration = {{ ident(params.storage_integration) }}
    {%- endif %}
    file_format = (format_name = '{{ m.file_format(src) }}');
{% endfor %}
