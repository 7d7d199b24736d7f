{#- The transform floor (benchmarks/bench_all.py): hand-written DuckDB SQL doing the heavy work
    of `dbt build` ONCE, on a copy of the loaded warehouse, in schema bench_floor. Written from the
    dbt models' logic, not compiled from them; simplified (no contracts, tests, snapshots,
    features, ML or alerts), with the same joins and aggregations where the time goes:

    * staging as views: the latest load per key of each of the seven sources (row_number by
      key ordered by _loaded_at desc, _source_file desc, _source_row_number desc) with the
      staging models' cleaning; the customers' versions by landing day (fct_transactions' KYC);
    * as tables, each computed once: product affinity (int_product_affinity), per-customer
      order, payment and session aggregates (int_customer_orders, int_customer_transactions,
      int_session_features: sessions are the customer's session_id groups, as there), payments
      in USD (int_transactions_usd), the payments' fraud signals
      (int_transaction_fraud_signals), the payment fact (fct_transactions), dim_customers,
      fct_orders, fct_campaigns, fct_support_tickets and the Customer 360 (fct_customer_value,
      RFM included; its ML columns are null, as in a first build before any scoring).

    Rendered with: as_of (a date literal), seeds (the dbt seed folder), v (dbt_project.yml's
    vars) and lit. One statement per `;` at a line end. -#}
set TimeZone = 'UTC';
create schema bench_floor;

-- cleaning helpers (macros/clean_code.sql's rules)
create macro bench_floor.txt(s) as nullif(trim(s), '');
create macro bench_floor.code(s) as nullif(replace(replace(lower(trim(s)), ' ', '-'), '_', '-'), '');
create macro bench_floor.code_(s) as nullif(replace(replace(lower(trim(s)), ' ', '_'), '-', '_'), '');
create macro bench_floor.landed_on(source_file, loaded_at) as coalesce(
    try_cast(nullif(regexp_extract(source_file, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '') as date),
    cast(loaded_at as date));

create table bench_floor.fx_rates as
select * from read_csv({{ lit(seeds ~ "/fx_rates.csv") }}, header = true, auto_detect = false,
    columns = {'currency': 'VARCHAR', 'rate_date': 'DATE', 'usd_per_unit': 'DOUBLE'});

create table bench_floor.country_currencies as
select * from read_csv({{ lit(seeds ~ "/country_currencies.csv") }}, header = true,
    auto_detect = false, columns = {'country': 'VARCHAR', 'currency': 'VARCHAR'});

-- staging (views) ----------------------------------------------------------------------------
create view bench_floor.stg_customers as
select
    trim(customer_id) as customer_id,
    lower(bench_floor.txt(first_name)) as first_name,
    lower(bench_floor.txt(last_name)) as last_name,
    lower(bench_floor.txt(email)) as email,
    bench_floor.txt(phone) as phone,
    signup_date,
    upper(bench_floor.txt(state)) as state,
    upper(bench_floor.txt(country)) as country,
    bench_floor.code(kyc_status) as kyc_status,
    bench_floor.code(account_status) as account_status,
    coalesce(bench_floor.code(preferred_language), 'en') as preferred_language,
    _loaded_at
from raw.customers
where customer_id is not null
qualify row_number() over (
    partition by customer_id order by _loaded_at desc, _source_file desc, _source_row_number desc
) = 1;

create view bench_floor.stg_customer_versions as
select
    *,
    lead(_landed_on) over (partition by customer_id order by _landed_on) as _superseded_on
from (
    select
        trim(customer_id) as customer_id,
        bench_floor.code(kyc_status) as kyc_status,
        bench_floor.landed_on(_source_file, _loaded_at) as _landed_on
    from raw.customers
    where customer_id is not null
    qualify row_number() over (
        partition by customer_id, bench_floor.landed_on(_source_file, _loaded_at)
        order by _loaded_at desc, _source_file desc, _source_row_number desc
    ) = 1
);

create view bench_floor.stg_orders as
select
    trim(order_id) as order_id,
    trim(customer_id) as customer_id,
    order_date,
    bench_floor.code(order_status) as order_status,
    total_amount,
    trim(product_id) as product_id,
    quantity,
    bench_floor.code(channel) as channel,
    _loaded_at
from raw.orders
where order_id is not null
qualify row_number() over (
    partition by order_id order by _loaded_at desc, _source_file desc, _source_row_number desc
) = 1;

create view bench_floor.stg_transactions as
select
    trim(transaction_id) as transaction_id,
    trim(customer_id) as customer_id,
    bench_floor.txt(order_id) as order_id,
    transaction_date,
    amount,
    upper(bench_floor.txt(currency)) as currency,
    bench_floor.code(payment_method) as payment_method,
    bench_floor.code(transaction_type) as transaction_type,
    bench_floor.code(status) as status,
    bench_floor.txt(merchant_id) as merchant_id,
    _loaded_at
from raw.transactions
where transaction_id is not null
qualify row_number() over (
    partition by transaction_id
    order by _loaded_at desc, _source_file desc, _source_row_number desc
) = 1;

create view bench_floor.stg_events as
select
    trim(event_id) as event_id,
    bench_floor.txt(customer_id) as customer_id,
    bench_floor.txt(session_id) as session_id,
    bench_floor.code_(event_type) as event_type,
    bench_floor.txt(page_url) as page_url,
    event_timestamp,
    bench_floor.code(device_type) as device_type,
    lower(bench_floor.txt(browser)) as browser,
    _loaded_at
from raw.events
where event_id is not null
qualify row_number() over (
    partition by event_id order by _loaded_at desc, _source_file desc, _source_row_number desc
) = 1;

create view bench_floor.stg_products as
select
    trim(product_id) as product_id,
    bench_floor.txt(product_name) as product_name,
    lower(bench_floor.txt(category)) as category,
    lower(bench_floor.txt(subcategory)) as subcategory,
    unit_price,
    is_active,
    _loaded_at
from raw.products
where product_id is not null
qualify row_number() over (
    partition by product_id order by _loaded_at desc, _source_file desc, _source_row_number desc
) = 1;

create view bench_floor.stg_campaigns as
select
    trim(campaign_id) as campaign_id,
    trim(customer_id) as customer_id,
    bench_floor.txt(campaign_name) as campaign_name,
    bench_floor.code(channel) as channel,
    sent_at,
    opened_at,
    clicked_at,
    coalesce(converted, false) as converted,
    _loaded_at
from raw.campaigns
where campaign_id is not null
qualify row_number() over (
    partition by campaign_id order by _loaded_at desc, _source_file desc, _source_row_number desc
) = 1;

create view bench_floor.stg_support_tickets as
select
    trim(ticket_id) as ticket_id,
    trim(customer_id) as customer_id,
    created_at,
    resolved_at,
    bench_floor.code(category) as category,
    bench_floor.code(priority) as priority,
    bench_floor.code(status) as status,
    satisfaction_score,
    _loaded_at
from raw.support_tickets
where ticket_id is not null
qualify row_number() over (
    partition by ticket_id order by _loaded_at desc, _source_file desc, _source_row_number desc
) = 1;

-- the heavy transforms, each once (tables) ----------------------------------------------------
create table bench_floor.fct_orders as
select
    o.order_id, o.customer_id, o.product_id, o.order_date, o.order_status, o.total_amount,
    o.quantity, o.channel,
    o.total_amount - p.unit_price * o.quantity as gross_margin,
    p.category
from bench_floor.stg_orders as o
left join bench_floor.stg_products as p on o.product_id = p.product_id;

create table bench_floor.product_affinity as
with categorised as (
    select
        customer_id,
        category,
        count(*) as category_orders,
        sum(count(*)) over (partition by customer_id) as categorised_orders,
        row_number() over (partition by customer_id order by count(*) desc, category) as category_rank
    from bench_floor.fct_orders
    where order_status = 'completed' and category is not null
    group by customer_id, category
),
entropy as (
    select
        customer_id,
        max(case when category_rank = 1 then category end) as top_category,
        max(case when category_rank = 2 then category end) as second_category,
        -sum(category_orders / categorised_orders * ln(category_orders / categorised_orders)) as category_entropy,
        count(*) as distinct_categories,
        max(categorised_orders) as categorised_orders
    from categorised
    group by customer_id
),
quantities as (
    select customer_id, avg(cast(quantity as double)) as avg_qty_per_order
    from bench_floor.fct_orders
    where order_status = 'completed'
    group by customer_id
),
catalog as (
    select count(distinct category) as category_count from bench_floor.stg_products where category is not null
)
select
    c.customer_id,
    e.top_category,
    e.second_category,
    case
        when e.customer_id is null then null
        when catalog.category_count <= 1 then 0.0
        else abs(e.category_entropy) / ln(cast(catalog.category_count as double))
    end as category_diversity_score,
    case
        when e.categorised_orders > 0
            then cast(e.categorised_orders - e.distinct_categories as double) / e.categorised_orders
    end as repeat_purchase_rate,
    q.avg_qty_per_order
from bench_floor.stg_customers as c
cross join catalog
left join entropy as e on c.customer_id = e.customer_id
left join quantities as q on c.customer_id = q.customer_id;

create table bench_floor.customer_orders as
with totals as (
    select
        customer_id,
        count(*) as placed_orders,
        sum(case when order_status = 'completed' then 1 else 0 end) as completed_orders,
        sum(case when order_status = 'cancelled' then 1 else 0 end) as cancelled_orders,
        min(case when order_status = 'completed' then order_date end) as first_order_date,
        max(case when order_status = 'completed' then order_date end) as last_order_date,
        sum(case when order_status = 'completed' then total_amount end) as total_order_value
    from bench_floor.stg_orders
    group by customer_id
)
select
    c.customer_id,
    coalesce(t.completed_orders, 0) as total_orders,
    coalesce(t.cancelled_orders, 0) as cancelled_orders,
    t.first_order_date,
    t.last_order_date,
    case when t.completed_orders > 0 then t.total_order_value / t.completed_orders end as avg_order_value,
    coalesce(t.total_order_value, 0) as total_order_value,
    a.top_category,
    date_diff('day', t.last_order_date, {{ as_of }}) as days_since_last_order,
    cast(t.cancelled_orders as double) / nullif(t.placed_orders, 0) as cancellation_rate
from bench_floor.stg_customers as c
left join totals as t on c.customer_id = t.customer_id
left join bench_floor.product_affinity as a on c.customer_id = a.customer_id;

create table bench_floor.transactions_usd as
with rate_periods as (
    select
        currency,
        usd_per_unit,
        rate_date as valid_from,
        lead(rate_date) over (partition by currency order by rate_date) as valid_until
    from bench_floor.fx_rates
),
home_currencies as (
    select c.customer_id, cc.currency as home_currency
    from bench_floor.stg_customers as c
    inner join bench_floor.country_currencies as cc on c.country = cc.country
)
select
    t.transaction_id,
    t.customer_id,
    t.order_id,
    t.transaction_date,
    round(t.amount * r.usd_per_unit, 2) as amount,
    t.amount as amount_local,
    t.currency,
    h.home_currency as customer_home_currency,
    t.payment_method,
    t.transaction_type,
    t.status,
    t.merchant_id,
    t._loaded_at
from bench_floor.stg_transactions as t
left join rate_periods as r
    on t.currency = r.currency
    and cast(t.transaction_date as date) >= r.valid_from
    and (r.valid_until is null or cast(t.transaction_date as date) < r.valid_until)
left join home_currencies as h on t.customer_id = h.customer_id;

create table bench_floor.customer_transactions as
with agg as (
    select
        customer_id,
        count(*) as total_transactions,
        sum(case when transaction_type = 'purchase' and status = 'success' then amount end) as total_spend,
        avg(case when transaction_type = 'purchase' then amount end) as avg_transaction_amount,
        max(amount) as max_transaction_amount,
        count(distinct merchant_id) as distinct_merchants,
        count(distinct payment_method) as payment_methods_used,
        sum(case when status = 'failed' then 1 else 0 end) as failed_transactions,
        max(case when status = 'success' then transaction_date end) as last_transaction_date
    from bench_floor.transactions_usd
    group by customer_id
)
select
    c.customer_id,
    coalesce(a.total_transactions, 0) as total_transactions,
    coalesce(a.total_spend, 0) as total_spend,
    a.avg_transaction_amount,
    a.max_transaction_amount,
    coalesce(a.distinct_merchants, 0) as distinct_merchants,
    coalesce(a.payment_methods_used, 0) as payment_methods_used,
    coalesce(a.failed_transactions, 0) as failed_transactions,
    a.last_transaction_date
from bench_floor.stg_customers as c
left join agg as a on c.customer_id = a.customer_id;

create table bench_floor.session_features as
with sessions as (
    select
        customer_id,
        session_id,
        min(event_timestamp) as session_start,
        max(event_timestamp) as session_end,
        sum(case when event_type = 'page_view' then 1 else 0 end) as page_views,
        max(case when device_type = 'mobile' then 1 else 0 end) as is_mobile
    from bench_floor.stg_events
    where customer_id is not null and session_id is not null
    group by customer_id, session_id
),
agg as (
    select
        customer_id,
        count(*) as total_sessions,
        avg(cast(date_diff('second', session_start, session_end) as double)) as avg_session_duration_sec,
        avg(cast(page_views as double)) as pages_per_session,
        avg(cast(is_mobile as double)) as mobile_session_ratio,
        max(cast(session_start as date)) as last_active_date
    from sessions
    group by customer_id
)
select
    c.customer_id,
    coalesce(a.total_sessions, 0) as total_sessions,
    cast(round(a.avg_session_duration_sec) as bigint) as avg_session_duration_sec,
    a.pages_per_session,
    a.mobile_session_ratio,
    a.last_active_date,
    date_diff('day', a.last_active_date, {{ as_of }}) as days_since_last_session
from bench_floor.stg_customers as c
left join agg as a on c.customer_id = a.customer_id;

create table bench_floor.transaction_fraud_signals as
with per_day as (
    select
        customer_id,
        cast(transaction_date as date) as transaction_day,
        count(*) as day_transactions,
        sum(case when transaction_type = 'purchase' and status = 'success' then amount else 0 end) as day_spend
    from bench_floor.transactions_usd
    group by all
),
device_days as (
    select distinct
        customer_id,
        cast(event_timestamp as date) as activity_day,
        coalesce(device_type, 'unknown') || '/' || coalesce(browser, 'unknown') as device
    from bench_floor.stg_events
    where customer_id is not null
),
device_previous as (
    select
        *,
        lag(activity_day) over (partition by customer_id, device order by activity_day) as previous_use_day
    from device_days
),
activity_previous as (
    select
        customer_id,
        activity_day,
        lag(activity_day) over (partition by customer_id order by activity_day) as previous_activity_day
    from (select distinct customer_id, activity_day from device_days)
),
new_device_days as (
    select distinct d.customer_id, d.activity_day
    from device_previous as d
    inner join activity_previous as a
        on d.customer_id = a.customer_id and d.activity_day = a.activity_day
    where a.previous_activity_day >= a.activity_day - interval {{ v.fraud_new_device_lookback_days }} day
        and (d.previous_use_day is null
             or d.previous_use_day < d.activity_day - interval {{ v.fraud_new_device_lookback_days }} day)
),
signals as (
    select
        t.transaction_id,
        t.customer_id,
        cast(t.transaction_date as date) as transaction_day,
        t.amount,
        p.day_transactions,
        p.day_spend,
        extract(hour from t.transaction_date) < 5 as is_night,
        coalesce(t.currency <> 'USD' and t.currency <> coalesce(t.customer_home_currency, 'USD'), false) as is_cross_border,
        coalesce(ct.avg_transaction_amount > 0 and t.transaction_type = 'purchase'
                 and t.amount > {{ v.fraud_unusual_amount_multiplier }} * ct.avg_transaction_amount, false) as is_unusual_amount,
        n.customer_id is not null as is_new_device_day,
        p.day_transactions > {{ v.fraud_high_velocity_daily_txn }} as is_high_velocity_day,
        coalesce(t.status = 'failed', false) as is_failed
    from bench_floor.transactions_usd as t
    inner join per_day as p
        on t.customer_id = p.customer_id and cast(t.transaction_date as date) = p.transaction_day
    left join bench_floor.customer_transactions as ct on t.customer_id = ct.customer_id
    left join new_device_days as n
        on t.customer_id = n.customer_id and cast(t.transaction_date as date) = n.activity_day
)
select
    *,
    is_night::int + is_cross_border::int + is_unusual_amount::int + is_new_device_day::int
        + is_high_velocity_day::int + is_failed::int as signal_count
from signals;

create table bench_floor.fct_transactions as
select
    t.transaction_id,
    t.customer_id,
    t.order_id,
    t.transaction_date,
    t.amount,
    t.currency,
    t.payment_method,
    t.transaction_type,
    t.status,
    coalesce(s.signal_count >= {{ v.fraud_high_risk_min_signals }}, false) as is_high_risk,
    t.amount_local,
    coalesce(v.kyc_status = 'verified', false) as is_kyc_eligible
from bench_floor.transactions_usd as t
left join bench_floor.transaction_fraud_signals as s on t.transaction_id = s.transaction_id
left join bench_floor.stg_customer_versions as v
    on t.customer_id = v.customer_id
    and v._landed_on <= cast(t.transaction_date as date)
    and (v._superseded_on is null or v._superseded_on > cast(t.transaction_date as date));

create table bench_floor.dim_customers as
select
    customer_id,
    trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) as full_name,
    email,
    signup_date,
    state,
    country,
    kyc_status,
    account_status,
    date_diff('day', signup_date, {{ as_of }}) as customer_tenure_days,
    coalesce(account_status = 'active', false) as is_active,
    cast(current_timestamp as timestamp) as dbt_updated_at,
    coalesce(kyc_status = 'verified', false) as is_transaction_eligible
from bench_floor.stg_customers;

create table bench_floor.fct_campaigns as
with attributed as (
    select c.campaign_id, sum(o.total_amount) as revenue_attributed
    from bench_floor.stg_campaigns as c
    inner join bench_floor.fct_orders as o
        on c.customer_id = o.customer_id
        and o.order_status = 'completed'
        and o.order_date >= cast(c.sent_at as date)
        and o.order_date <= cast(c.sent_at as date) + interval {{ v.attribution_window_days }} day
    group by c.campaign_id
)
select
    c.campaign_id, c.customer_id, c.campaign_name, c.channel, c.sent_at,
    c.opened_at is not null as opened,
    c.clicked_at is not null as clicked,
    c.converted,
    coalesce(a.revenue_attributed, 0) as revenue_attributed
from bench_floor.stg_campaigns as c
left join attributed as a on c.campaign_id = a.campaign_id;

create table bench_floor.fct_support_tickets as
select
    ticket_id, customer_id, category, priority, status, satisfaction_score,
    cast(date_diff('second', created_at, resolved_at) as double) / 3600 as resolution_hours,
    resolved_at is not null as is_resolved,
    created_at,
    resolved_at
from bench_floor.stg_support_tickets;

create table bench_floor.fct_customer_value as
with base as (
    select
        d.customer_id,
        d.is_active,
        o.total_orders,
        o.total_order_value,
        t.total_spend,
        o.avg_order_value,
        o.days_since_last_order,
        o.cancellation_rate,
        s.total_sessions
    from bench_floor.dim_customers as d
    left join bench_floor.customer_orders as o on d.customer_id = o.customer_id
    left join bench_floor.customer_transactions as t on d.customer_id = t.customer_id
    left join bench_floor.session_features as s on d.customer_id = s.customer_id
),
ranked as (
    select
        customer_id,
        percent_rank() over (order by days_since_last_order desc) as recency_rank,
        percent_rank() over (order by total_orders) as frequency_rank,
        percent_rank() over (order by total_order_value) as monetary_rank
    from base
    where total_orders > 0
),
scored as (
    select
        base.*,
        coalesce(least(5, 1 + floor(r.recency_rank * 5)), 1) as recency_score,
        coalesce(least(5, 1 + floor(r.frequency_rank * 5)), 1) as frequency_score,
        coalesce(least(5, 1 + floor(r.monetary_rank * 5)), 1) as monetary_score
    from base
    left join ranked as r on base.customer_id = r.customer_id
)
select
    customer_id,
    total_orders,
    total_spend,
    avg_order_value,
    days_since_last_order,
    total_sessions,
    recency_score,
    frequency_score,
    monetary_score,
    case
        when coalesce(total_orders, 0) = 0 then 'Prospect'
        when recency_score >= 4 and frequency_score >= 4 and monetary_score >= 4 then 'Champions'
        when recency_score >= 3 and frequency_score >= 3 then 'Loyal'
        when recency_score >= 4 then 'New'
        when recency_score = 3 then 'Promising'
        when frequency_score >= 4 and monetary_score >= 4 then 'Cannot Lose Them'
        when frequency_score >= 3 then 'At Risk'
        when recency_score = 2 then 'Hibernating'
        else 'Lost'
    end as rfm_segment,
    cast(null as double) as predicted_ltv,
    cast(null as double) as churn_probability,
    cast(null as varchar) as customer_segment,
    -- without scores the composite is the RFM component alone (weights renormalised)
    cast(recency_score + frequency_score + monetary_score - 3 as double) / 12 as composite_score,
    is_active,
    cancellation_rate,
    cast(null as varchar) as churn_band,
    {{ as_of }} as as_of_date
from scored;
