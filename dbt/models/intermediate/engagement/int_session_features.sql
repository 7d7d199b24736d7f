with

customers as (select * from {{ ref('stg_customers') }}),

events as (select * from {{ ref('stg_events') }}),

sessions as (

    -- identified events only (anonymous / pre-login events have no customer_id); a session is
    -- a mobile session when any of its events came from a mobile device
    {{ customer_sessions('events') }}

),

sessions_aggregated_to_customers as (

    {% call aggregated_to_customers('sessions') %}
        count(*) as total_sessions,
        avg(cast({{ seconds_between('session_start', 'session_end') }} as double)) as avg_session_duration_sec,
        avg(cast(page_views as double)) as pages_per_session,
        avg(cast(is_mobile as double)) as mobile_session_ratio,
        max(cast(session_start as date)) as last_active_date
    {% endcall %}

),

final as (

    select
        -- ids
        customers.customer_id,

        -- numerics
        cast(coalesce(agg.total_sessions, 0) as bigint) as total_sessions,
        cast(round(agg.avg_session_duration_sec) as bigint) as avg_session_duration_sec,
        cast(agg.pages_per_session as double) as pages_per_session,
        cast(agg.mobile_session_ratio as double) as mobile_session_ratio,

        -- dates
        cast(agg.last_active_date as date) as last_active_date,

        -- numerics
        cast({{ dbt.datediff('agg.last_active_date', as_of_date(), 'day') }} as bigint)
            as days_since_last_session

    from customers
    left join sessions_aggregated_to_customers as agg
        on customers.customer_id = agg.customer_id

)

select * from final
