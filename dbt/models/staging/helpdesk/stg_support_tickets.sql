with

-- tickets are re-exported as they progress (open -> resolved); the latest load wins
{{ latest_load_ctes(source('helpdesk', 'support_tickets'), 'ticket_id') }}

cleaned as (

    select
        -- ids
        cast(trim(ticket_id) as varchar) as ticket_id,
        cast(trim(customer_id) as varchar) as customer_id,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(resolved_at as timestamp) as resolved_at,

        -- strings
        cast({{ clean_code('category') }} as varchar) as category,
        cast({{ clean_code('priority') }} as varchar) as priority,
        cast({{ clean_code('status') }} as varchar) as status,

        -- numerics
        cast(satisfaction_score as bigint) as satisfaction_score,

        -- timestamps
        cast(_loaded_at as timestamp) as _loaded_at

    from latest_load
    where load_rank = 1

)

select * from cleaned
