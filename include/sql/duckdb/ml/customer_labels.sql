-- Observable outcomes of every customer signed up by {as_of_date}, over the window that
-- follows it: dates in ({as_of_date}, {window_end_date}], timestamps in
-- [{cutoff_ts}, {window_end_ts}).
--   churned        1 = no completed order and no session (event) in the window.
--   realised_spend sum of completed orders' total_amount in the window (USD, >= 0).
-- Used only to train (and evaluate) models: the window must end on or before the data's
-- latest date, which the training code checks.

with

customers as (

    select customer_id
    from {staging}.stg_customers
    where signup_date <= {as_of_date}

),

window_orders as (

    -- rounded to cents: parallel float sums are not bit-for-bit reproducible
    select customer_id, round(sum(total_amount), 2) as realised_spend
    from {staging}.stg_orders
    where order_status = 'completed'
        and order_date > {as_of_date}
        and order_date <= {window_end_date}
    group by customer_id

),

window_sessions as (

    select distinct customer_id
    from {staging}.stg_events
    where customer_id is not null
        and event_timestamp >= {cutoff_ts}
        and event_timestamp < {window_end_ts}

),

final as (

    select
        customers.customer_id,
        case
            when window_orders.customer_id is null and window_sessions.customer_id is null
                then 1
            else 0
        end as churned,
        greatest(coalesce(window_orders.realised_spend, 0), 0) as realised_spend
    from customers
    left join window_orders
        on customers.customer_id = window_orders.customer_id
    left join window_sessions
        on customers.customer_id = window_sessions.customer_id

)

select * from final
order by customer_id
