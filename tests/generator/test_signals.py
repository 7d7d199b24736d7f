"""Behaviour with signal: what the ML and the marts are supposed to find is really there."""

from __future__ import annotations

import pytest

from include.c360.generator import GROUND_TRUTH_FILES
from tests.generator.conftest import AS_OF, CONFIG, rows, scalar


@pytest.fixture(scope="module")
def con(gen):
    c = gen.con
    c.execute(f"create or replace table gt as select * from "
              f"read_parquet('{gen.ground_truth}/customers.parquet')")
    c.execute(f"create or replace table gt_fraud as select * from "
              f"read_parquet('{gen.ground_truth}/fraud_transactions.parquet')")
    # latest version of every order / first appearance (clean values)
    c.execute("""create or replace table orders_latest as
        select order_id, customer_id, order_date::date as order_date,
               lower(trim(order_status)) as status, total_amount::double as total_amount,
               product_id, quantity::int as quantity
        from raw_orders qualify row_number() over (partition by order_id order by _file desc) = 1
    """)
    c.execute("""create or replace table tx as
        select distinct transaction_id, customer_id, order_id,
               transaction_date::timestamp as ts, amount::double as amount,
               upper(currency) as currency, lower(trim(status)) as status,
               lower(trim(transaction_type)) as type, merchant_id from raw_transactions""")
    return c


def test_ground_truth_is_outside_the_landing_zone(gen, con):
    assert GROUND_TRUTH_FILES == ("customers.parquet", "fraud_transactions.parquet",
                                  "manifest.json")
    for name in GROUND_TRUTH_FILES:
        assert (gen.ground_truth / name).is_file()
    assert gen.landing.resolve() not in gen.ground_truth.resolve().parents
    assert not any("ground_truth" in k or k.endswith("manifest.json")
                   for k in gen.after_checksums)
    n_hist = scalar(con, "select count(*) from gt where in_history")
    assert n_hist == scalar(con, f"""select count(distinct customer_id) from raw_customers
                                     where _dt <= DATE '{AS_OF}'""")
    assert n_hist == round(270_000 * CONFIG.scale)
    fraud = scalar(con, "select avg(is_fraud_actor::int) from gt where in_history")
    churned = scalar(con, "select avg(churned_by_as_of::int) from gt where in_history")
    assert 0.002 < fraud < 0.02 and 0.1 < churned < 0.45


def test_churners_fade_then_stop(con):
    """Orders and sessions fade in the 90 days before the churn date and stop after it."""
    after = scalar(con, """select count(*) from orders_latest o join gt using (customer_id)
                           where gt.is_churner and o.order_date >= gt.churn_date""")
    assert after == 0
    ev_after = scalar(con, """select count(*) from raw_events e join gt using (customer_id)
        where gt.is_churner and e.event_timestamp::timestamp::date >= gt.churn_date""")
    assert ev_after == 0
    early, late = rows(con, """
        select count(*) filter (where o.order_date between gt.churn_date - 180
                                                        and gt.churn_date - 91),
               count(*) filter (where o.order_date between gt.churn_date - 90
                                                        and gt.churn_date - 1)
        from orders_latest o join gt using (customer_id)
        where gt.churned_by_as_of and gt.churn_date - 180 >= greatest(gt.signup_date,
              (select min(_dt) from raw_orders))""")[0]
    assert late < 0.7 * early, (early, late)
    s_early, s_late = rows(con, """
        select count(distinct session_id) filter (where d between churn_date - 180
                                                              and churn_date - 91),
               count(distinct session_id) filter (where d between churn_date - 90
                                                              and churn_date - 1)
        from (select e.session_id, e.event_timestamp::timestamp::date d, gt.churn_date,
                     gt.signup_date from raw_events e join gt using (customer_id)
              where gt.churned_by_as_of) x
        where churn_date - 180 >= greatest(signup_date, (select min(_dt) from raw_events))""")[0]
    assert s_late < 0.7 * s_early, (s_early, s_late)


def test_churners_file_urgent_tickets_with_low_csat(con):
    (_, c_csat, c_high, c_n), (_, o_csat, o_high, o_n) = rows(con, """
        with t as (select ticket_id, customer_id, created_at::timestamp::date as d,
                          lower(trim(priority)) as priority,
                          satisfaction_score::int as csat
                   from raw_support_tickets
                   qualify row_number() over (partition by ticket_id order by _file desc) = 1)
        select coalesce(gt.is_churner and t.d between gt.churn_date - 90 and gt.churn_date,
                        false) as pre,
               avg(csat), avg((priority in ('high', 'critical'))::int), count(*)
        from t join gt using (customer_id) group by 1 order by 1 desc""")
    assert c_n > 20 and o_n > 20
    assert c_csat < o_csat - 0.5, (c_csat, o_csat)
    assert c_high > o_high + 0.15, (c_high, o_high)


def test_fraud_actors_look_like_fraud(con):
    stats = {r[0]: r[1:] for r in rows(con, """
        select gt.is_fraud_actor,
               avg((hour(ts) < 5)::int) as night,
               avg((currency <> 'USD')::int) filter (where gt.country = 'US') as foreign,
               avg((status = 'failed')::int) as failed,
               count(distinct merchant_id) / count(distinct customer_id) as merchants
        from tx join gt using (customer_id) group by 1""")}
    fraud, normal = stats[True], stats[False]
    assert fraud[0] > 4 * normal[0] and normal[0] < 0.08
    assert fraud[1] > 3 * normal[1]
    assert fraud[2] > 3 * normal[2]
    assert fraud[3] > 1.5 * normal[3]
    # unusual amounts: most fraud actors have a payment > 3x their own mean
    share = scalar(con, """
        select avg((mx > 3 * mean)::int) from (
            select customer_id, max(abs(amount)) mx, avg(abs(amount)) mean from tx
            join gt using (customer_id) where gt.is_fraud_actor and gt.fraud_bursts > 0
              and currency = 'USD' group by 1)""")
    assert share > 0.6
    # the ground truth's fraud payments are in the ledger, belonging to fraud actors
    assert scalar(con, """select count(*) from gt_fraud f left join tx using (transaction_id)
                          where tx.transaction_id is null and f.transaction_date <=
                          (select max(ts) from tx) - interval 3 day""") == 0
    # a login from a rare browser precedes bursts
    assert scalar(con, """select count(*) from raw_events e join gt using (customer_id)
                          where gt.is_fraud_actor and e.browser in
                          ('Opera 114', 'Tor Browser 14', 'HeadlessChrome 131', 'Yandex 24')
                          and lower(e.event_type) = 'login'""") > 0


def test_campaign_conversion_matches_orders_within_7_days(con):
    """converted is true exactly when the customer placed an order in [send day, +7 days]."""
    mismatched, conv, n = rows(con, f"""
        with s as (select distinct campaign_id, customer_id,
                          sent_at::timestamp::date as d, converted::boolean as converted
                   from raw_campaigns where sent_at::timestamp::date <= DATE '{AS_OF}' - 14),
        m as (select s.*, exists (select 1 from orders_latest o
                                  where o.customer_id = s.customer_id
                                    and o.order_date between s.d and s.d + 7) as has_order
              from s)
        select count(*) filter (where converted <> has_order),
               count(*) filter (where converted), count(*) from m""")[0]
    assert n > 500 and conv > 10
    assert mismatched == 0
    # sends that were clicked convert far more often than unclicked ones
    clicked, unclicked = rows(con, """select avg(converted::boolean::int) filter
        (where clicked_at is not null), avg(converted::boolean::int) filter
        (where clicked_at is null) from raw_campaigns""")[0]
    assert clicked > 2 * unclicked


def test_category_preferences(con):
    top_share, agree = rows(con, """
        with oc as (select o.customer_id, lower(trim(p.category)) cat, count(*) n
                    from orders_latest o
                    join (select distinct product_id, category from raw_products) p
                      using (product_id) group by 1, 2),
        per as (select customer_id, max(n) / sum(n) share, arg_max(cat, n) top, sum(n) total
                from oc group by 1 having sum(n) >= 5)
        select avg(share), avg((top = lower(gt.preferred_category))::int)
        from per join gt using (customer_id)""")[0]
    assert top_share > 0.45  # uniform over 10 categories would be ~0.25 at 5+ orders
    assert agree > 0.6


def test_amounts_margins_refunds_and_heavy_tail(con):
    med, positive = rows(con, """
        select median(total_amount / (unit_price * quantity) - 1),
               avg((total_amount > unit_price * quantity)::int)
        from orders_latest join (select distinct product_id, unit_price::double unit_price
                                 from raw_products) using (product_id)""")[0]
    assert 0.15 < med < 0.3 and positive > 0.85
    assert scalar(con, "select count(*) from tx where type in ('refund', 'reversal') "
                       "and amount >= 0") == 0
    assert scalar(con, "select count(*) from tx where type in ('purchase', 'fee') "
                       "and amount <= 0") == 0
    assert scalar(con, "select count(*) from tx where type = 'refund'") > 0
    top10 = scalar(con, """with s as (select customer_id, sum(total_amount) v from
        orders_latest where status = 'completed' group by 1)
        select sum(v) filter (where v >= (select quantile_cont(v, 0.9) from s)) / sum(v)
        from s""")
    assert top10 > 0.35


def test_seasonality_and_time_of_day(con):
    peak, base = rows(con, """
        with d as (select order_date, count(*) n from orders_latest group by 1)
        select avg(n) filter (where month(order_date) = 11 and day(order_date) between 24
                                                                              and 30),
               median(n) from d""")[0]
    assert peak > 1.3 * base
    night = scalar(con, """select avg((hour(event_timestamp::timestamp) < 5)::int)
                           from raw_events""")
    evening = scalar(con, """select avg((hour(event_timestamp::timestamp) between 17 and 20)::int)
                             from raw_events""")
    assert night < 0.06 and evening > 0.2
    mix = dict(rows(con, "select lower(trim(device_type)), count(*) from raw_events group by 1"))
    assert mix["mobile"] > mix["desktop"] > mix["tablet"]
