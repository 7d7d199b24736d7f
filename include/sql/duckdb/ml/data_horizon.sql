-- The latest event time the warehouse holds (orders and sessions): a label window must not end
-- after it, or "no activity" would only mean "not loaded yet".
select
    (select max(order_date) from {staging}.stg_orders) as max_order_date,
    (select cast(max(event_timestamp) as date) from {staging}.stg_events) as max_event_date
