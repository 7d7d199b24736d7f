with

source as (

    select * from {{ source('ml', 'customer_ltv_scores') }}

),

renamed as (

    select
        -- ids
        customer_id,

        -- strings
        model_version,

        -- numerics
        predicted_ltv,

        -- timestamps
        scored_at

    from source

)

select * from renamed
