{%- import "snowflake/_macros.sql" as m with context -%}
select system$pipe_status({{ lit(m.fq(params.raw_schema, src.name ~ "_pipe")) }}) as status;
