"""Point-in-time features use nothing after their as-of date; labels use only their window."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from include.c360.ml import sql as ml_sql
from include.c360.ml.features import labels, point_in_time_features

AS_OF = date(2026, 8, 26)  # the churn model's training snapshot of a 2026-11-24 run


def _pick_customer(wh) -> str:
    return wh.query_df(
        "select customer_id from staging.stg_customers where signup_date < date '2026-01-01' "
        "order by customer_id limit 1")["customer_id"].iloc[0]


def _rows_as_they_stood_at_the_cutoff(wh, cid: str, as_of: date) -> None:
    """A campaign sent and a ticket opened an hour before the cutoff, nothing happened yet."""
    just_before = f"timestamp '{as_of} 23:00:00'"
    wh.execute(f"""
        insert into staging.stg_campaigns (campaign_id, customer_id, campaign_name, channel,
            sent_at, opened_at, clicked_at, converted, _loaded_at)
        values ('KX2', '{cid}', 'early', 'email', {just_before}, null, null, false, now());
        insert into staging.stg_support_tickets (ticket_id, customer_id, created_at,
            resolved_at, category, priority, status, satisfaction_score, _loaded_at)
        values ('HX2', '{cid}', {just_before}, null, 'general', 'low', 'open', null, now());
    """)


def _what_happened_after_the_cutoff(wh, cid: str, as_of: date) -> None:
    """New rows after the as-of day, and later updates of the two rows above."""
    nxt = as_of + timedelta(days=1)
    midnight = f"timestamp '{nxt} 00:00:00'"
    wh.execute(f"""
        insert into staging.stg_customers (customer_id, signup_date, account_status, _loaded_at)
        values ('CNEW0001', date '{nxt}', 'active', now());
        insert into staging.stg_orders (order_id, customer_id, order_date, order_status,
            total_amount, product_id, quantity, channel, _loaded_at)
        values ('OX1', '{cid}', date '{nxt}', 'completed', 999.0, 'P00000000', 1, 'web', now()),
               ('OX2', 'CNEW0001', date '{nxt}', 'completed', 50.0, 'P00000000', 1, 'web', now());
        insert into staging.stg_events (event_id, customer_id, session_id, event_type,
            event_timestamp, device_type, _loaded_at)
        values ('EX1', '{cid}', 'SX1', 'page_view', {midnight}, 'mobile', now()),
               ('EX2', '{cid}', 'SX2', 'login', {midnight} + interval 30 day, 'mobile', now());
        insert into staging.stg_transactions (transaction_id, customer_id, transaction_date,
            amount, currency, payment_method, transaction_type, status, merchant_id, _loaded_at)
        values ('TX1', '{cid}', {midnight}, 999.0, 'EUR', 'card', 'purchase', 'failed', 'MZ',
            now());
        insert into staging.stg_campaigns (campaign_id, customer_id, campaign_name, channel,
            sent_at, opened_at, clicked_at, converted, _loaded_at)
        values ('KX1', '{cid}', 'late', 'email', {midnight}, {midnight}, {midnight}, true, now());
        insert into staging.stg_support_tickets (ticket_id, customer_id, created_at,
            resolved_at, category, priority, status, satisfaction_score, _loaded_at)
        values ('HX1', '{cid}', {midnight}, null, 'billing', 'critical', 'open', null, now());
        -- the send is opened, clicked and converts after the cutoff
        update staging.stg_campaigns
        set opened_at = {midnight} + interval 1 hour, clicked_at = {midnight} + interval 2 hour,
            converted = true
        where campaign_id = 'KX2';
        -- the ticket is resolved with a CSAT of 1 after the cutoff
        update staging.stg_support_tickets
        set resolved_at = {midnight} + interval 5 day, status = 'resolved',
            satisfaction_score = 1
        where ticket_id = 'HX2';
    """)


def test_records_after_the_as_of_date_do_not_change_the_features(wh):
    cid = _pick_customer(wh)
    _rows_as_they_stood_at_the_cutoff(wh, cid, AS_OF)
    before = point_in_time_features(wh, AS_OF)
    _what_happened_after_the_cutoff(wh, cid, AS_OF)
    after = point_in_time_features(wh, AS_OF)
    pd.testing.assert_frame_equal(before, after, check_exact=True)
    assert "CNEW0001" not in set(after["customer_id"])

    # the same rows do show up in a snapshot taken after them (the test can fail)
    later = point_in_time_features(wh, AS_OF + timedelta(days=40)).set_index("customer_id")
    assert "CNEW0001" in later.index
    assert later.loc[cid, "days_since_last_session"] <= 10
    assert later.loc[cid, "open_tickets"] >= 1
    later_csat = later.loc[cid, "avg_csat_365d"]
    before_csat = before.set_index("customer_id").loc[cid, "avg_csat_365d"]
    assert pd.notna(later_csat) and (pd.isna(before_csat) or later_csat != before_csat)


def test_rows_before_the_cutoff_do_count(wh):
    cid = _pick_customer(wh)
    before = point_in_time_features(wh, AS_OF).set_index("customer_id").loc[cid]
    _rows_as_they_stood_at_the_cutoff(wh, cid, AS_OF)
    after = point_in_time_features(wh, AS_OF).set_index("customer_id").loc[cid]
    assert after["sends_90d"] == before["sends_90d"] + 1
    assert after["open_tickets"] == before["open_tickets"] + 1
    assert after["tickets_90d"] == before["tickets_90d"] + 1


def test_labels_follow_the_window_and_only_the_window(wh):
    base = labels(wh, AS_OF, 90).set_index("customer_id")
    quiet = base.index[base["churned"] == 1][0]
    # a session inside the window makes the customer not churned; one after it does not
    window_end = AS_OF + timedelta(days=91)
    wh.execute(f"""
        insert into staging.stg_events (event_id, customer_id, session_id, event_type,
            event_timestamp, device_type, _loaded_at)
        values ('EW1', '{quiet}', 'SW1', 'login', timestamp '{window_end} 00:00:00', 'mobile',
                now())""")
    assert labels(wh, AS_OF, 90).set_index("customer_id").loc[quiet, "churned"] == 1
    wh.execute(f"""
        insert into staging.stg_orders (order_id, customer_id, order_date, order_status,
            total_amount, product_id, quantity, channel, _loaded_at)
        values ('OW1', '{quiet}', date '{AS_OF + timedelta(days=90)}', 'completed', 120.0,
                'P00000000', 1, 'web', now())""")
    after = labels(wh, AS_OF, 90).set_index("customer_id").loc[quiet]
    assert after["churned"] == 0
    assert after["realised_spend"] == pytest.approx(base.loc[quiet, "realised_spend"] + 120.0)


def test_dialects_share_the_sql_and_differ_only_in_datediff():
    values = ml_sql.as_of_values(AS_OF)
    duck = ml_sql.render("customer_features_as_of", "duckdb", values, {"staging": "staging"})
    snow = ml_sql.render("customer_features_as_of", "snowflake", values, {"staging": "staging"})
    assert "datediff('day'," in duck and "datediff('" not in snow
    strip = [line for line in duck.splitlines() if "datediff" not in line and "--" not in line]
    strip_s = [line for line in snow.splitlines() if "datediff" not in line and "--" not in line]
    assert strip == strip_s
    # labels have no dialect difference: the Snowflake target reads the DuckDB file
    assert ml_sql.sql_path("customer_labels", "snowflake").parent.parent.name == "duckdb"


def test_render_refuses_missing_values_and_odd_identifiers():
    with pytest.raises(KeyError, match="cutoff_ts"):
        ml_sql.render("customer_labels", "duckdb", {"as_of_date": AS_OF},
                      {"staging": "staging"})
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        ml_sql.render("data_horizon", "duckdb", {}, {"staging": "staging; drop table x"})
