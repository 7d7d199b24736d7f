{#- DuckDB spellings of the spec's logical types (include/c360/warehouse/types.py) and of the
    file readers. -#}
{%- macro type(t) -%}{{ sql_type("duckdb", t) }}{%- endmacro -%}

{%- macro column_map(columns, all_varchar=false) -%}
{ {%- for c in columns %}'{{ c.name }}': '{{ "VARCHAR" if all_varchar else type(c.type) }}'{{ ", " if not loop.last }}{% endfor -%} }
{%- endmacro -%}

{#- Files' rows with the spec's column names and types, plus a row number _rn that is the
    1-based row inside the file for one file (DuckDB keeps file order: files in list order,
    rows in file order, so row_number() over () is the file row), and with filename=true
    the file's path as `filename` (several files: _rn counts across them, see insert_files). -#}
{%- macro reader(src, path, all_varchar=false, filename=false) -%}
{%- if src.file_format == "csv_gzip" -%}
(select *, row_number() over () as _rn from read_csv({{ path }}, header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', compression = 'gzip', strict_mode = true, hive_partitioning = false,
    filename = {{ "true" if filename else "false" }}, columns = {{ column_map(src.raw_columns, all_varchar) }}))
{%- elif src.file_format == "ndjson_gzip" and not all_varchar -%}
{#- one JSON parse per record: json_transform_strict fails on a missing key or a bad value,
    the WHERE on a record with more keys than the registry's (extra/renamed column) -#}
(select unnest(json_transform_strict(json, '{ {%- for c in src.raw_columns %}"{{ c.name }}": "{{ type(c.type) }}"{{ ", " if not loop.last }}{% endfor -%} }')), _rn
    {{- ", filename" if filename }}
    from (select *, row_number() over () as _rn
          from read_ndjson_objects({{ path }}, compression = 'gzip', hive_partitioning = false,
                                   filename = {{ "true" if filename else "false" }}))
    where case when len(json_keys(json)) <> {{ src.raw_columns | length }}
               then error('record ' || _rn || ' has ' || len(json_keys(json)) || ' keys, expected {{ src.raw_columns | length }}')
               else true end)
{%- elif src.file_format == "ndjson_gzip" -%}
(select *, row_number() over () as _rn from read_json({{ path }}, format = 'newline_delimited',
    compression = 'gzip', hive_partitioning = false, columns = {{ column_map(src.raw_columns, all_varchar) }}))
{%- elif src.file_format == "parquet" -%}
(select {% for c in src.raw_columns %}cast("{{ c.name }}" as {{ "VARCHAR" if all_varchar else type(c.type) }}) as "{{ c.name }}", {% endfor %}file_row_number + 1 as _rn{{ ", filename" if filename }}
    from read_parquet({{ path }}, file_row_number = true, hive_partitioning = false,
                      filename = {{ "true" if filename else "false" }}))
{%- endif -%}
{%- endmacro -%}
