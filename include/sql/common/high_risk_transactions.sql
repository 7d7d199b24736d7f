-- The compliance export: the payments flagged is_high_risk dated in [start, end), with the
-- customer's identity and KYC standing; amount in USD, amount_local in the payment's currency.
-- Same SQL on DuckDB and Snowflake.
select
    cast(transactions.transaction_date as date) as transaction_day,
    transactions.transaction_id,
    transactions.transaction_date,
    transactions.customer_id,
    customers.full_name,
    customers.email,
    customers.country,
    customers.kyc_status,
    customers.account_status,
    transactions.order_id,
    transactions.amount,
    transactions.amount_local,
    transactions.currency,
    transactions.payment_method,
    transactions.transaction_type,
    transactions.status
from {{ marts }}.fct_transactions as transactions
left join {{ marts }}.dim_customers as customers
    on transactions.customer_id = customers.customer_id
where transactions.is_high_risk
    and transactions.transaction_date >= {{ start }}
    and transactions.transaction_date < {{ end }}
order by transactions.transaction_date, transactions.transaction_id
