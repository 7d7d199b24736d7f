-- tickets are re-exported as they progress (open -> resolved); the latest load wins
{% call staged_latest(source('helpdesk', 'support_tickets'), 'ticket_id') %}
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
    cast(satisfaction_score as bigint) as satisfaction_score
{% endcall %}
