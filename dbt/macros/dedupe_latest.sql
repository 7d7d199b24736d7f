{#
    Ordering that picks the latest load of a re-exported record: the row loaded last wins, then
    the later file (landing keys sort by date), then the later row in that file.
#}
{% macro latest_load_order() -%}
    _loaded_at desc, _source_file desc, _source_row_number desc
{%- endmacro %}
