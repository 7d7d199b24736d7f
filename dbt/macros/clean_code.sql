{#
    Standardise a code into its documented enumeration: trimmed, lowercased, and spaces or the
    other separator replaced by `separator` ('in store' / 'In_Store ' -> 'in-store';
    'Page View' -> 'page_view' with separator='_'). Empty strings become null.
#}
{% macro clean_code(column, separator='-') -%}
    {%- set other = '_' if separator == '-' else '-' -%}
    nullif(replace(replace(lower(trim({{ column }})), ' ', '{{ separator }}'), '{{ other }}', '{{ separator }}'), '')
{%- endmacro %}

{# Trimmed text, empty strings as null. #}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
