-- latest load per order_id, cleaned and typed: macros/staged_customers_and_orders.sql
{{ staged_orders() }}
