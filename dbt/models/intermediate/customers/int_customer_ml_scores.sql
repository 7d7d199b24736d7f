{#
    The latest score per customer from each table that ML scoring writes in schema `ml`
    (contract: the `ml` source, models/staging/ml/_ml__sources.yml). Empty until scoring has run.
#}

with

segments as (select * from {{ source('ml', 'customer_segments') }}),

churn_scores as (select * from {{ source('ml', 'customer_churn_scores') }}),

ltv_scores as (select * from {{ source('ml', 'customer_ltv_scores') }}),

customers as (select * from {{ ref('stg_customers') }}),

latest_segment as (

    select
        customer_id,
        customer_segment,
        row_number() over (partition by customer_id order by scored_at desc, model_version desc)
            as score_rank
    from segments

),

latest_churn as (

    select
        customer_id,
        churn_probability,
        row_number() over (partition by customer_id order by scored_at desc, model_version desc)
            as score_rank
    from churn_scores

),

latest_ltv as (

    select
        customer_id,
        predicted_ltv,
        row_number() over (partition by customer_id order by scored_at desc, model_version desc)
            as score_rank
    from ltv_scores

),

final as (

    select
        -- ids
        customers.customer_id,

        -- numerics
        cast(latest_ltv.predicted_ltv as double) as predicted_ltv,
        cast(latest_churn.churn_probability as double) as churn_probability,

        -- strings
        cast(latest_segment.customer_segment as varchar) as customer_segment

    from customers
    left join latest_ltv
        on customers.customer_id = latest_ltv.customer_id and latest_ltv.score_rank = 1
    left join latest_churn
        on customers.customer_id = latest_churn.customer_id and latest_churn.score_rank = 1
    left join latest_segment
        on customers.customer_id = latest_segment.customer_id and latest_segment.score_rank = 1

)

select * from final
