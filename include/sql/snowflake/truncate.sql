-- products: TRUNCATE + INSERT inside the load's transaction (DELETE: Snowflake's TRUNCATE commits implicitly)
delete from {{ params.database }}.{{ params.raw_schema }}.{{ src.name }};
