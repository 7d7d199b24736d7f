{%- import "snowflake/_macros.sql" as m with context -%}
-- Personal data (catalog `pii: true`) is masked for every role that is not granted
-- {{ ident(params.pii_reader_role) }} (grant it to the loading/dbt roles and to whoever needs the values).
-- dbt attaches the same policy to its tables' PII columns after each build (mask_pii_columns).
create masking policy if not exists {{ m.fq(params.meta_schema, "pii_string") }}
    as (val varchar) returns varchar ->
    case when val is null or is_role_in_session({{ lit(ident(params.pii_reader_role)) }}) then val
         else '***MASKED***' end;
{% for src in sources if src.pii_columns -%}
alter table {{ m.fq(params.raw_schema, src.name) }} modify
{%- for c in src.pii_columns %}
    column {{ c }} set masking policy {{ m.fq(params.meta_schema, "pii_string") }} force{{ "," if not loop.last else ";" }}
{%- endfor %}
{% endfor %}
