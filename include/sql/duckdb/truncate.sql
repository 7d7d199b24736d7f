-- products: TRUNCATE + INSERT (DuckDB's TRUNCATE is transactional: it runs inside the load's transaction)
truncate {{ params.raw_schema }}.{{ src.name }}
