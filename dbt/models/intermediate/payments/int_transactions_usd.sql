{#
    Every staged payment with its amount in USD beside the amount and currency the ledger
    recorded (macros/currency.sql: the one definition of the conversion). The customer and
    fraud models read payments from here, so their money is in USD.
#}
with

transactions as (select * from {{ ref('stg_transactions') }}),

final as (

    {{ transactions_in_usd('transactions') }}

)

select * from final
