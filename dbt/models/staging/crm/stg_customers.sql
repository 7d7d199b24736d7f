-- latest load per customer_id, cleaned and typed: macros/staged_customers_and_orders.sql
{{ staged_customers() }}
