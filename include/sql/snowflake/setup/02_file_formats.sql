{%- import "snowflake/_macros.sql" as m with context -%}
-- Named file formats: CSV gzip with a header row, newline-delimited JSON gzip, Parquet.
create file format if not exists {{ m.fq(params.raw_schema, "ff_csv_gzip") }}
    type = csv compression = gzip skip_header = 1 field_delimiter = ','
    field_optionally_enclosed_by = '"' empty_field_as_null = true null_if = ('');
create file format if not exists {{ m.fq(params.raw_schema, "ff_ndjson_gzip") }}
    type = json compression = gzip;
create file format if not exists {{ m.fq(params.raw_schema, "ff_parquet") }}
    type = parquet;
