with

customers as (select * from {{ ref('stg_customers') }}),

orders as (select * from {{ ref('stg_orders') }}),

product_affinity as (select * from {{ ref('int_product_affinity') }}),

orders_aggregated_to_customers as (

    -- only completed orders count toward RFM; cancelled and returned are excluded
    {{ customer_order_totals('orders') }}

),

orders_joined_to_customers as (

    select
        -- ids
        customers.customer_id,

        -- numerics
        cast(coalesce(orders_aggregated_to_customers.completed_orders, 0) as bigint) as completed_orders,
        cast(coalesce(orders_aggregated_to_customers.cancelled_orders, 0) as bigint) as cancelled_orders,

        -- dates
        cast(orders_aggregated_to_customers.first_order_date as date) as first_order_date,
        cast(orders_aggregated_to_customers.last_order_date as date) as last_order_date,

        -- numerics
        cast(
            case
                when orders_aggregated_to_customers.completed_orders > 0
                    then
                        orders_aggregated_to_customers.total_order_value
                        / orders_aggregated_to_customers.completed_orders
            end
            as double
        ) as avg_order_value,
        cast(coalesce(orders_aggregated_to_customers.total_order_value, 0) as double) as total_order_value,

        -- strings
        cast(product_affinity.top_category as varchar) as top_category,

        -- numerics
        cast(
            {{ dbt.datediff('orders_aggregated_to_customers.last_order_date', as_of_date(), 'day') }}
            as bigint
        ) as days_since_last_order,
        -- cancelled / every order placed (any status); null without an order
        cast(
            cast(orders_aggregated_to_customers.cancelled_orders as double)
            / nullif(orders_aggregated_to_customers.placed_orders, 0)
            as double
        ) as cancellation_rate

    from customers
    {{ join_on_keys('customers', ['orders_aggregated_to_customers', 'product_affinity']) }}

),

final as (

    select
        customer_id,
        -- the spec's total_orders counts completed orders only: the value of completed_orders
        completed_orders as total_orders,
        completed_orders,
        cancelled_orders,
        first_order_date,
        last_order_date,
        avg_order_value,
        total_order_value,
        top_category,
        days_since_last_order,
        cancellation_rate
    from orders_joined_to_customers

)

select * from final
