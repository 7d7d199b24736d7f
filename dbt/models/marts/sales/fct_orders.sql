with

orders as (select * from {{ ref('stg_orders') }}),

products as (select * from {{ ref('stg_products') }}),

final as (

    select
        -- ids
        orders.order_id,
        orders.customer_id,
        orders.product_id,

        -- dates
        orders.order_date,

        -- strings
        orders.order_status,

        -- numerics
        orders.total_amount,
        orders.quantity,

        -- strings
        orders.channel,

        -- numerics
        cast(orders.total_amount - products.unit_price * orders.quantity as double) as gross_margin

    from orders
    left join products
        on orders.product_id = products.product_id

)

select * from final
