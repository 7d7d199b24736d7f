with

source as (

    select * from {{ source('ml', 'customer_segments') }}

),

renamed as (

    select
        -- ids
        customer_id,

        -- strings
        customer_segment,
        model_version,

        -- numerics
        cluster_id,

        -- timestamps
        scored_at

    from source

)

select * from renamed
