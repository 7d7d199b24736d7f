with

-- customers are delta exports: a re-exported customer (e.g. changed kyc/account status)
-- appears again in a later file; the latest load wins
{{ latest_load_ctes(source('crm', 'customers'), 'customer_id') }}

cleaned as (

    select
        -- ids
        cast(trim(customer_id) as varchar) as customer_id,

        -- strings
        cast(lower({{ clean_text('first_name') }}) as varchar) as first_name,
        cast(lower({{ clean_text('last_name') }}) as varchar) as last_name,
        cast(lower({{ clean_text('email') }}) as varchar) as email,
        cast({{ clean_text('phone') }} as varchar) as phone,

        -- dates
        cast(signup_date as date) as signup_date,

        -- strings (codes)
        cast(upper({{ clean_text('state') }}) as varchar) as state,
        cast(upper({{ clean_text('country') }}) as varchar) as country,
        cast({{ clean_code('kyc_status') }} as varchar) as kyc_status,
        cast({{ clean_code('account_status') }} as varchar) as account_status,
        cast(coalesce({{ clean_code('preferred_language') }}, 'en') as varchar) as preferred_language,

        -- timestamps
        cast(_loaded_at as timestamp) as _loaded_at

    from latest_load
    where load_rank = 1

)

select * from cleaned
