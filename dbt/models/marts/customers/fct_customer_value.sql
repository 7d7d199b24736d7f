{%- set w_rfm = var('composite_weight_rfm') -%}
{%- set w_ltv = var('composite_weight_ltv') -%}
{%- set w_churn = var('composite_weight_churn') -%}

with

customers as (select * from {{ ref('dim_customers') }}),

customer_rfm as (select * from {{ ref('int_customer_rfm') }}),

ml_scores as (select * from {{ ref('int_customer_ml_scores') }}),

joined as (

    select
        customers.customer_id,
        customer_rfm.total_orders,
        customer_rfm.total_spend,
        customer_rfm.avg_order_value,
        customer_rfm.days_since_last_order,
        customer_rfm.total_sessions,
        customer_rfm.recency_score,
        customer_rfm.frequency_score,
        customer_rfm.monetary_score,
        customer_rfm.rfm_segment,
        customer_rfm.cancellation_rate,
        customers.is_active,
        ml_scores.predicted_ltv,
        ml_scores.churn_probability,
        ml_scores.customer_segment,
        -- components of the composite score, each in [0, 1]
        cast(customer_rfm.recency_score + customer_rfm.frequency_score + customer_rfm.monetary_score - 3 as double)
        / 12 as rfm_component,
        case
            when ml_scores.predicted_ltv is not null
                then
                    percent_rank() over (
                        partition by case when ml_scores.predicted_ltv is null then 0 else 1 end
                        order by ml_scores.predicted_ltv
                    )
        end as ltv_component,
        1 - ml_scores.churn_probability as retention_component
    from customers
    inner join customer_rfm
        on customers.customer_id = customer_rfm.customer_id
    left join ml_scores
        on customers.customer_id = ml_scores.customer_id

),

final as (

    select
        -- ids
        customer_id,

        -- numerics
        total_orders,
        total_spend,
        avg_order_value,
        days_since_last_order,
        total_sessions,
        recency_score,
        frequency_score,
        monetary_score,

        -- strings
        rfm_segment,

        -- numerics
        predicted_ltv,
        churn_probability,

        -- strings
        customer_segment,

        -- numerics
        -- weighted blend of RFM, LTV rank and retention (1 - churn); weights are renormalised
        -- over the components present, so before any scoring it is the RFM component alone
        cast(
            (
                {{ w_rfm }} * rfm_component
                + {{ w_ltv }} * coalesce(ltv_component, 0)
                + {{ w_churn }} * coalesce(retention_component, 0)
            )
            / (
                {{ w_rfm }}
                + case when ltv_component is null then 0 else {{ w_ltv }} end
                + case when retention_component is null then 0 else {{ w_churn }} end
            )
            as double
        ) as composite_score,

        -- beyond the spec
        -- booleans
        is_active,

        -- numerics
        cancellation_rate,

        -- strings
        cast({{ churn_band('churn_probability') }} as varchar) as churn_band,

        -- dates
        {{ as_of_date() }} as as_of_date

    from joined

)

select * from final
