with

support_tickets as (select * from {{ ref('stg_support_tickets') }}),

final as (

    select
        -- ids
        ticket_id,
        customer_id,

        -- strings
        category,
        priority,
        status,

        -- numerics
        satisfaction_score,
        -- hours from opening to resolution; null while the ticket is open
        cast({{ seconds_between('created_at', 'resolved_at') }} as double) / 3600 as resolution_hours,

        -- booleans
        resolved_at is not null as is_resolved,

        -- timestamps
        created_at,
        resolved_at

    from support_tickets

)

select * from final
