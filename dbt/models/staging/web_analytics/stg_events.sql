with

source as (

    select * from {{ source('web_analytics', 'events') }}

),

latest_load as (

    -- an hourly batch delivered twice must not double-count events; latest load wins
    select
        *,
        row_number() over (
            partition by event_id
            order by {{ latest_load_order() }}
        ) as load_rank
    from source
    where event_id is not null

),

cleaned as (

    select
        -- ids
        cast(trim(event_id) as varchar) as event_id,
        cast({{ clean_text('customer_id') }} as varchar) as customer_id,
        cast({{ clean_text('session_id') }} as varchar) as session_id,

        -- strings
        cast({{ clean_code('event_type', separator='_') }} as varchar) as event_type,
        cast({{ clean_text('page_url') }} as varchar) as page_url,

        -- timestamps
        cast(event_timestamp as timestamp) as event_timestamp,

        -- strings
        cast({{ clean_code('device_type') }} as varchar) as device_type,
        cast(lower({{ clean_text('browser') }}) as varchar) as browser,

        -- timestamps
        cast(_loaded_at as timestamp) as _loaded_at

    from latest_load
    where load_rank = 1

)

select * from cleaned
