-- products: TRUNCATE + INSERT inside the load's transaction (DELETE: Snowflake's TRUNCATE commits implicitly)
delete from {{ ident(params.database) }}.{{ ident(params.raw_schema) }}.{{ ident(src.name) }};
