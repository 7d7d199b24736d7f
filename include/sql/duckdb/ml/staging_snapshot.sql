-- The point-in-time inputs of one run: one pass over each staging view, keeping the columns the
-- features and labels need, as tables {target}.stg_*. The staging views deduplicate RAW with
-- window functions on every read, and the churn and LTV tasks read these tables 3-4 times each
-- instead. Plain SQL both dialects accept.
create schema if not exists {target};

create or replace table {target}.stg_customers as
select customer_id, signup_date from {staging}.stg_customers;

create or replace table {target}.stg_orders as
select customer_id, order_date, order_status, total_amount from {staging}.stg_orders;

create or replace table {target}.stg_events as
select customer_id, session_id, event_timestamp, device_type
from {staging}.stg_events
where customer_id is not null;

create or replace table {target}.stg_transactions as
select customer_id, transaction_date, amount, transaction_type, status
from {staging}.stg_transactions;

create or replace table {target}.stg_campaigns as
select customer_id, sent_at, opened_at, clicked_at, converted from {staging}.stg_campaigns;

create or replace table {target}.stg_support_tickets as
select customer_id, created_at, resolved_at, priority, satisfaction_score
from {staging}.stg_support_tickets
