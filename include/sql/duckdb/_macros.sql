{#- DuckDB spellings of the spec's logical types (include/c360/warehouse/types.py) and of the
    file readers. -#}
{%- macro type(t) -%}{{ sql_type("duckdb", t) }}{%- endmacro -%}

{%- macro text_columns(columns) -%}
{ {%- for c in columns %}'{{ c.name }}': 'VARCHAR'{{ ", " if not loop.last }}{% endfor -%} }
{%- endmacro -%}

{#- A file's records as stored, before any conversion: CSV values as text, NDJSON values as JSON
    (string, number, object...), Parquet values in the file's own types; plus _rn, the 1-based
    record number inside the file for one file (DuckDB keeps file order: files in list order,
    rows in file order, so row_number() over () is the file row), and with filename=true the
    file's path as `filename` (several files: _rn counts across them, see insert_files). -#}
{%- macro stored(src, path, filename=false) -%}
{%- if src.file_format == "csv_gzip" -%}
(select *, row_number() over () as _rn from read_csv({{ path }}, header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', compression = 'gzip', strict_mode = true, hive_partitioning = false,
    filename = {{ "true" if filename else "false" }}, columns = {{ text_columns(src.raw_columns) }}))
{%- elif src.file_format == "ndjson_gzip" -%}
{#- one JSON parse per record (each value as text; an object or array as its JSON text, told
    apart from a string by json_container) and the record itself as _record: json_transform_strict
    fails on a missing key, the WHERE on a record with more keys than the registry's
    (extra/renamed column); keys in any order -#}
(select unnest(json_transform_strict(json, '{ {%- for c in src.raw_columns %}"{{ c.name }}": "VARCHAR"{{ ", " if not loop.last }}{% endfor -%} }')), json as _record, _rn
    {{- ", filename" if filename }}
    from (select *, row_number() over () as _rn
          from read_ndjson_objects({{ path }}, compression = 'gzip', hive_partitioning = false,
                                   filename = {{ "true" if filename else "false" }}))
    where case when len(json_keys(json)) <> {{ src.raw_columns | length }}
               then error('record ' || _rn || ' has ' || len(json_keys(json)) || ' keys, expected {{ src.raw_columns | length }}')
               else true end)
{%- elif src.file_format == "parquet" -%}
(select {% for c in src.raw_columns %}"{{ c.name }}", {% endfor %}file_row_number + 1 as _rn{{ ", filename" if filename }}
    from read_parquet({{ path }}, file_row_number = true, hive_partitioning = false,
                      filename = {{ "true" if filename else "false" }}))
{%- endif -%}
{%- endmacro -%}

{#- Text to a spec type, exactly or not at all: NULL when the text has no exact value of the
    type. int: whole numbers only (2.5 is not 3); date: a day, or that day at midnight;
    timestamp: an offset or zone is converted to UTC (the connection's TimeZone is UTC, so a
    timestamp without one is taken as UTC). -#}
{%- macro from_text(text, t) -%}
{%- if t == "varchar" -%}{{ text }}
{%- elif t == "int" -%}case when regexp_full_match({{ text }}, '\s*[+-]?[0-9]+(\.0*)?\s*') then try_cast({{ text }} as {{ type(t) }}) end
{%- elif t == "date" -%}case when regexp_full_match({{ text }}, '\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]00:00(:00(\.0*)?)?)?\s*') then try_cast({{ text }} as {{ type(t) }}) end
{%- elif t == "timestamp" -%}timezone('UTC', try_cast({{ text }} as timestamptz))
{%- else -%}try_cast({{ text }} as {{ type(t) }})
{%- endif -%}
{%- endmacro -%}

{#- Whether an NDJSON value is a JSON object or array (not a string that looks like one): its
    text starts like one and, only then (CASE evaluates lazily, AND does not), the record says so. -#}
{%- macro json_container(c) -%}(case when left("{{ c.name }}", 1) in ('{', '[') then json_type(_record, '$."{{ c.name }}"') in ('OBJECT', 'ARRAY') else false end)
{%- endmacro -%}

{#- A stored value (column c of `stored`) as text, for conversion and for error messages: NULL
    for SQL/JSON null and, in a typed CSV column, for an empty field. -#}
{%- macro stored_text(src, c) -%}
{%- if src.file_format == "csv_gzip" -%}{{ '"%s"' % c.name if c.type == "varchar" else "nullif(trim(\"%s\"), '')" % c.name }}
{%- elif src.file_format == "ndjson_gzip" -%}"{{ c.name }}"
{%- else -%}cast("{{ c.name }}" as varchar)
{%- endif -%}
{%- endmacro -%}

{#- Whether a stored timestamp's wall clock differs from its UTC instant (it carries an offset
    or zone other than UTC), which a cast to a timestamp without time zone would drop. -#}
{%- macro dropped_offset(src, c) -%}
(try_cast({{ stored_text(src, c) }} as timestamp) is distinct from {{ from_text(stored_text(src, c), "timestamp") }})
{%- endmacro -%}

{#- The stored value in the column's type, NULL when it is NULL or has no exact value in that type
    (a JSON object or array is never a scalar; Parquet text columns convert like CSV text). -#}
{%- macro convert(src, c) -%}
{%- if src.file_format == "csv_gzip" -%}{{ from_text(stored_text(src, c), c.type) }}
{%- elif src.file_format == "ndjson_gzip" -%}case when not {{ json_container(c) }} then {{ from_text('"%s"' % c.name, c.type) }} end
{%- else -%}case when typeof("{{ c.name }}") = 'VARCHAR' then {{ from_text('cast("%s" as varchar)' % c.name, c.type) }} else try_cast("{{ c.name }}" as {{ type(c.type) }}) end
{%- endif -%}
{%- endmacro -%}

{#- Whether column c of a stored record holds a value that does not convert (a bad value). -#}
{%- macro is_bad(src, c) -%}
(({{ stored_text(src, c) }}) is not null and ({{ convert(src, c) }}) is null)
{%- endmacro -%}

{#- The files' records with the spec's column names and types (COPY INTO semantics), plus _rn
    (and filename): a value that does not convert exactly fails the statement; which file, row
    and column is then found by diagnose.sql. -#}
{%- macro reader(src, path, filename=false) -%}
(select {% for c in src.raw_columns -%}
    {%- if c.type == "varchar" and src.file_format != "ndjson_gzip" %}"{{ c.name }}"
    {%- else %}coalesce({{ convert(src, c) }}, case when {{ is_bad(src, c) }} then error('a value of column {{ c.name }} is not a valid {{ c.type }}') end) as "{{ c.name }}"
    {%- endif %}, {% endfor %}_rn{{ ", filename" if filename }}
    from {{ stored(src, path, filename) }})
{%- endmacro -%}
