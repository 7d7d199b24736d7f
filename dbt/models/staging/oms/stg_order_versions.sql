-- every version of each record with its landing day (point in time): macros/staged_customers_and_orders.sql
{{ staged_orders(versions=true) }}
