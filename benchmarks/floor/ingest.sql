{#- The ingestion floor (benchmarks/bench_all.py): every landed file of each source into its RAW
    table in ONE statement per source, with DuckDB's typed readers and nothing else: no load
    history, no per-file transactions, no quarantine, no diagnosis of a bad value. The RAW
    tables are the platform's own (include/sql/duckdb/setup.sql, run before this); the readers
    type each column per the registry (include/c360/sources.py, raw_columns) in DuckDB's
    spelling (include/c360/warehouse/types.py, sql_type), timestamps read with their offset and
    stored in UTC as the platform stores them. The row metadata is the platform's:
    _source_file is the landing key (the path below {{ landing }}), _source_row_number the
    1-based row inside its file.

    Rendered with: sources (the registry), files (source name -> its files' paths, in landing
    key order), landing (the landing folder), loaded_at, sql_type and lit
    (include/c360/ingest/sql.py's template macros). One statement per source, in registry order. -#}
{%- macro reader_type(c) -%}{{ "TIMESTAMPTZ" if c.type == "timestamp" else sql_type("duckdb", c.type) }}{%- endmacro -%}
{%- macro file_list(src) -%}[{% for f in files[src.name] %}{{ lit(f) }}{{ ", " if not loop.last }}{% endfor %}]{%- endmacro -%}
{%- for src in sources %}
insert into raw.{{ src.name }} by name
select
    {%- for c in src.raw_columns %}
    {% if src.file_format == "parquet" %}cast("{{ c.name }}" as {{ reader_type(c) }}){% else %}"{{ c.name }}"{% endif %} as "{{ c.name }}",
    {%- endfor %}
    {{ lit(loaded_at) }} as _loaded_at,
    substr(filename, {{ landing | length + 2 }}) as _source_file,
{%- if src.file_format == "parquet" %}
    file_row_number + 1 as _source_row_number
from read_parquet({{ file_list(src) }}, file_row_number = true, filename = true,
                  hive_partitioning = false);
{%- else %}
    -- DuckDB reads the files in list order and each file's rows in order: the row's number
    -- across the files minus its file's first
    _rn - min(_rn) over (partition by filename) + 1 as _source_row_number
from (
    select *, row_number() over () as _rn
{%- if src.file_format == "csv_gzip" %}
    from read_csv({{ file_list(src) }}, header = true, auto_detect = false, delim = ',',
                  quote = '"', escape = '"', compression = 'gzip', strict_mode = true,
                  hive_partitioning = false, filename = true,
                  columns = { {%- for c in src.raw_columns %}'{{ c.name }}': '{{ reader_type(c) }}'{{ ", " if not loop.last }}{% endfor -%} })
{%- else %}
    from read_json({{ file_list(src) }}, format = 'newline_delimited', compression = 'gzip',
                   hive_partitioning = false, filename = true,
                   columns = { {%- for c in src.raw_columns %}'{{ c.name }}': '{{ reader_type(c) }}'{{ ", " if not loop.last }}{% endfor -%} })
{%- endif %}
);
{%- endif %}
{% endfor %}
