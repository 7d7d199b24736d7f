with

customers as (select * from {{ ref('stg_customers') }}),

orders as (select * from {{ ref('stg_orders') }}),

products as (select * from {{ ref('stg_products') }}),

catalog_categories as (

    -- entropy is normalised by the number of categories the catalog offers, so buying evenly
    -- across more categories scores higher (1 = evenly across every category)
    select count(distinct category) as category_count
    from products
    where category is not null

),

completed_orders as (

    select
        orders.order_id,
        orders.customer_id,
        orders.order_date,
        orders.quantity,
        products.category
    from orders
    left join products
        on orders.product_id = products.product_id
    where {{ is_completed_order('orders') }}

),

orders_per_category as (

    select
        customer_id,
        category,
        count(*) as category_orders
    from completed_orders
    where category is not null
    group by customer_id, category

),

categories_ranked as (

    select
        customer_id,
        category,
        category_orders,
        sum(category_orders) over (partition by customer_id) as categorised_orders,
        row_number() over (
            partition by customer_id
            order by category_orders desc, category asc
        ) as category_rank
    from orders_per_category

),

category_entropy as (

    select
        categories_ranked.customer_id,
        max(case when categories_ranked.category_rank = 1 then categories_ranked.category end)
            as top_category,
        max(case when categories_ranked.category_rank = 2 then categories_ranked.category end)
            as second_category,
        -- Shannon entropy H = -sum(p * ln p) over the customer's category shares
        -sum(
            (cast(categories_ranked.category_orders as double) / categories_ranked.categorised_orders)
            * {{ natural_log('cast(categories_ranked.category_orders as double) / categories_ranked.categorised_orders') }}
        ) as category_entropy,
        count(*) as distinct_categories,
        max(categories_ranked.categorised_orders) as categorised_orders
    from categories_ranked
    group by categories_ranked.customer_id

),

order_quantities as (

    select
        customer_id,
        count(*) as completed_orders,
        avg(cast(quantity as double)) as avg_qty_per_order
    from completed_orders
    group by customer_id

),

final as (

    select
        -- ids
        customers.customer_id,

        -- strings
        cast(category_entropy.top_category as varchar) as top_category,
        cast(category_entropy.second_category as varchar) as second_category,

        -- numerics
        cast(
            case
                when category_entropy.customer_id is null then null
                when catalog_categories.category_count <= 1 then 0.0
                else
                    abs(category_entropy.category_entropy)
                    / {{ natural_log('cast(catalog_categories.category_count as double)') }}
            end
            as double
        ) as category_diversity_score,
        -- an order is a repeat purchase when the customer already bought in that category:
        -- per category, every order after the first; over all categorised orders
        cast(
            case
                when category_entropy.categorised_orders > 0
                    then
                        cast(category_entropy.categorised_orders - category_entropy.distinct_categories as double)
                        / category_entropy.categorised_orders
            end
            as double
        ) as repeat_purchase_rate,
        cast(order_quantities.avg_qty_per_order as double) as avg_qty_per_order

    from customers
    cross join catalog_categories
    left join category_entropy
        on customers.customer_id = category_entropy.customer_id
    left join order_quantities
        on customers.customer_id = order_quantities.customer_id

)

select * from final
