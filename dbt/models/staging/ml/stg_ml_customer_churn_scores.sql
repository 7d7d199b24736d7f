with

source as (

    select * from {{ source('ml', 'customer_churn_scores') }}

),

renamed as (

    select
        -- ids
        customer_id,

        -- strings
        model_version,

        -- numerics
        churn_probability,

        -- timestamps
        scored_at

    from source

)

select * from renamed
