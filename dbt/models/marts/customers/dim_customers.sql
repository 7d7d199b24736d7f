with

customers as (select * from {{ ref('stg_customers') }}),

final as (

    select
        -- ids
        customer_id,

        -- strings
        cast(
            trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) as varchar
        ) as full_name,
        email,

        -- dates
        signup_date,

        -- strings
        state,
        country,
        kyc_status,
        account_status,

        -- numerics
        cast({{ dbt.datediff('signup_date', as_of_date(), 'day') }} as bigint) as customer_tenure_days,

        -- booleans
        {{ is_active_account('account_status') }} as is_active,

        -- timestamps
        {{ run_started_at_timestamp() }} as dbt_updated_at,

        -- beyond the spec: KYC gates transaction eligibility
        {{ is_kyc_eligible('kyc_status') }} as is_transaction_eligible

    from customers

)

select * from final
