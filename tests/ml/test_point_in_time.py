"""Point-in-time features use nothing after their snapshot date; labels use only their window.

Rows and later updates go in through RAW (an update is a later load of the same key, as the
sources re-export it), and dbt rebuilds the point-in-time model, as a daily run would.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest
from tests_ml_helpers import load_raw, rebuild

from include.c360.ml.features import labels, point_in_time_features, training_frame
from include.c360.warehouse import DuckDBWarehouse

RUN = date(2026, 11, 24)
AS_OF = date(2026, 8, 26)  # the churn model's training snapshot of the 2026-11-24 run


@contextmanager
def opened(path):
    wh = DuckDBWarehouse(path)
    try:
        yield wh
    finally:
        wh.close()


def _features(path, as_of: date) -> pd.DataFrame:
    with opened(path) as wh:
        return point_in_time_features(wh, as_of)


def _load(path, loads: dict[str, list[dict]], landed_on: date | None = None) -> None:
    con = duckdb.connect(str(path))
    try:
        for source, rows in loads.items():
            load_raw(con, source, rows, landed_on)
    finally:
        con.close()


def _pick_customer(path) -> str:
    with opened(path) as wh:
        return wh.query_df(
            "select customer_id from staging.stg_customers where signup_date < date '2026-01-01' "
            "order by customer_id limit 1")["customer_id"].iloc[0]


def _send(campaign_id: str, cid: str, sent_at, **more) -> dict:
    return {"campaign_id": campaign_id, "customer_id": cid, "campaign_name": "test",
            "channel": "email", "sent_at": sent_at, "converted": False, **more}


def _ticket(ticket_id: str, cid: str, created_at, **more) -> dict:
    return {"ticket_id": ticket_id, "customer_id": cid, "created_at": created_at,
            "category": "general", "priority": "low", "status": "open", **more}


def _as_they_stood_at_the_cutoff(cid: str, as_of: date) -> dict[str, list[dict]]:
    """A campaign sent and a ticket opened an hour before the cutoff, nothing happened yet."""
    just_before = pd.Timestamp(f"{as_of} 23:00:00")
    return {"campaigns": [_send("KX2", cid, just_before)],
            "support_tickets": [_ticket("HX2", cid, just_before)]}


def _what_happened_after_the_cutoff(cid: str, as_of: date) -> dict[str, list[dict]]:
    """New rows after the as-of day, and later loads (updates) of the two rows above."""
    nxt = as_of + timedelta(days=1)
    midnight, just_before = pd.Timestamp(nxt), pd.Timestamp(f"{as_of} 23:00:00")
    order = {"total_amount": 999.0, "order_status": "completed", "order_date": nxt,
             "product_id": "P000001", "quantity": 1, "channel": "web"}
    return {
        "customers": [{"customer_id": "CNEW0001", "signup_date": nxt, "account_status": "active",
                       "kyc_status": "verified"}],
        "orders": [{**order, "order_id": "OX1", "customer_id": cid},
                   {**order, "order_id": "OX2", "customer_id": "CNEW0001", "total_amount": 50.0}],
        "events": [
            {"event_id": "EX1", "customer_id": cid, "session_id": "SX1", "event_type": "page_view",
             "event_timestamp": midnight, "device_type": "mobile"},
            {"event_id": "EX2", "customer_id": cid, "session_id": "SX2", "event_type": "login",
             "event_timestamp": midnight + timedelta(days=30), "device_type": "mobile"}],
        "transactions": [{"transaction_id": "TX1", "customer_id": cid, "transaction_date": midnight,
                          "amount": 999.0, "currency": "EUR", "payment_method": "card",
                          "transaction_type": "purchase", "status": "failed",
                          "merchant_id": "MZ"}],
        "campaigns": [
            _send("KX1", cid, midnight, opened_at=midnight, clicked_at=midnight, converted=True),
            # the send of the cutoff day is opened, clicked and converts after the cutoff
            _send("KX2", cid, just_before, opened_at=midnight + timedelta(hours=1),
                  clicked_at=midnight + timedelta(hours=2), converted=True)],
        "support_tickets": [
            _ticket("HX1", cid, midnight, category="billing", priority="critical"),
            # the ticket of the cutoff day is resolved with a CSAT of 1 after the cutoff
            _ticket("HX2", cid, just_before, resolved_at=midnight + timedelta(days=5),
                    status="resolved", satisfaction_score=1)],
    }


@pytest.mark.timeout(300)
def test_records_after_the_as_of_date_do_not_change_the_features(world_copy, tmp_path):
    cid = _pick_customer(world_copy)
    _load(world_copy, _as_they_stood_at_the_cutoff(cid, AS_OF))
    rebuild(world_copy, tmp_path / "dbt", RUN)
    before = _features(world_copy, AS_OF)
    _load(world_copy, _what_happened_after_the_cutoff(cid, AS_OF))
    rebuild(world_copy, tmp_path / "dbt", RUN)
    after = _features(world_copy, AS_OF)
    pd.testing.assert_frame_equal(before, after, check_exact=True)
    assert "CNEW0001" not in set(after["customer_id"])

    # the same rows do show up in a snapshot taken after them (the test can fail)
    later_day = AS_OF + timedelta(days=40)
    rebuild(world_copy, tmp_path / "dbt", later_day)
    later = _features(world_copy, later_day).set_index("customer_id")
    assert "CNEW0001" in later.index
    assert later.loc[cid, "days_since_last_session"] <= 10
    assert later.loc[cid, "open_tickets"] >= 1
    later_csat = later.loc[cid, "avg_csat_365d"]
    before_csat = before.set_index("customer_id").loc[cid, "avg_csat_365d"]
    assert pd.notna(later_csat) and (pd.isna(before_csat) or later_csat != before_csat)


@pytest.mark.timeout(300)
def test_rows_before_the_cutoff_do_count(world_copy, tmp_path):
    cid = _pick_customer(world_copy)
    before = _features(world_copy, AS_OF).set_index("customer_id").loc[cid]
    _load(world_copy, _as_they_stood_at_the_cutoff(cid, AS_OF))
    rebuild(world_copy, tmp_path / "dbt", RUN)
    after = _features(world_copy, AS_OF).set_index("customer_id").loc[cid]
    assert after["sends_90d"] == before["sends_90d"] + 1
    assert after["open_tickets"] == before["open_tickets"] + 1
    assert after["tickets_90d"] == before["tickets_90d"] + 1


@pytest.mark.timeout(300)
def test_labels_follow_the_window_and_only_the_window(world_copy, tmp_path):
    with opened(world_copy) as wh:
        base = labels(wh, AS_OF, 90).set_index("customer_id")
    quiet = base.index[base["churned"] == 1][0]
    # a session right after the window (its end is exclusive) does not count
    window_end = pd.Timestamp(AS_OF + timedelta(days=91))
    _load(world_copy, {"events": [{"event_id": "EW1", "customer_id": quiet, "session_id": "SW1",
                                   "event_type": "login", "event_timestamp": window_end,
                                   "device_type": "mobile"}]})
    rebuild(world_copy, tmp_path / "dbt", RUN)
    with opened(world_copy) as wh:
        assert labels(wh, AS_OF, 90).set_index("customer_id").loc[quiet, "churned"] == 1
    # a completed order on the window's last day does
    _load(world_copy, {"orders": [{"order_id": "OW1", "customer_id": quiet, "order_status":
                                   "completed", "order_date": AS_OF + timedelta(days=90),
                                   "total_amount": 120.0, "product_id": "P000001",
                                   "quantity": 1, "channel": "web"}]})
    rebuild(world_copy, tmp_path / "dbt", RUN)
    with opened(world_copy) as wh:
        after = labels(wh, AS_OF, 90).set_index("customer_id").loc[quiet]
    assert after["churned"] == 0
    assert after["realised_spend"] == pytest.approx(base.loc[quiet, "realised_spend"] + 120.0)


@pytest.mark.timeout(300)
def test_label_windows_end_at_the_last_loaded_day(world_copy, tmp_path):
    """A run dated after the data: the training windows end at the last loaded day (no window
    counts days that are only not loaded yet as inactivity)."""
    rebuild(world_copy, tmp_path / "dbt", date(2027, 3, 1), ("feat_customer_history",))
    with opened(world_copy) as wh:
        train_as_of, label_end, frame = training_frame(wh, "churn_training")
        assert (train_as_of, label_end) == (date(2026, 8, 26), RUN)
        assert training_frame(wh, "ltv_training")[:2] == (date(2025, 11, 24), RUN)
        assert len(point_in_time_features(wh, date(2027, 3, 1))) >= len(frame)
        with pytest.raises(LookupError, match="no snapshot as of 2026-10-05"):
            point_in_time_features(wh, date(2026, 10, 5))


def _active_customer_row(path) -> dict:
    """The RAW row of a customer active since before AS_OF (and still active)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cid = con.execute(
            "select customer_id from staging.stg_customer_versions where account_status = "
            f"'active' and _landed_on <= date '{AS_OF}' and _superseded_on is null "
            "order by customer_id limit 1").fetchone()[0]
        row = con.execute(
            f"select * exclude (_loaded_at, _source_file, _source_row_number) from raw.customers "
            f"where customer_id = '{cid}' order by _loaded_at desc, _source_file desc limit 1"
        ).df().iloc[0].to_dict()
    finally:
        con.close()
    return row


@pytest.mark.timeout(600)
def test_later_versions_of_payments_orders_and_accounts_are_not_read_back(world_copy, tmp_path):
    """The payment-status leak: a payment pending at the cutoff and re-exported as success
    after it, an order completed before and returned after it, an account active at it and
    closed after it. The features as of the cutoff read each record as it stood when its
    version landed by then; a snapshot after the later versions landed reads those."""
    customer = _active_customer_row(world_copy)
    cid = customer["customer_id"]
    paid = pd.Timestamp(f"{AS_OF - timedelta(days=5)} 12:00:00")
    payment = {"transaction_id": "TLEAK1", "customer_id": cid, "transaction_date": paid,
               "amount": 100.0, "currency": "USD", "payment_method": "card",
               "transaction_type": "purchase", "status": "pending", "merchant_id": "MZ"}
    order = {"order_id": "OLEAK1", "customer_id": cid, "order_date": paid.date(),
             "order_status": "completed", "total_amount": 80.0, "product_id": "P000001",
             "quantity": 1, "channel": "web"}
    _load(world_copy, {"transactions": [payment], "orders": [order]},
          landed_on=AS_OF - timedelta(days=5))
    later_day = AS_OF + timedelta(days=10)
    rebuild(world_copy, tmp_path / "dbt", RUN)
    before = _features(world_copy, AS_OF)
    rebuild(world_copy, tmp_path / "dbt", later_day)
    later_before = _features(world_copy, later_day).set_index("customer_id").loc[cid]

    # the later versions land three days after the cutoff
    _load(world_copy, {"transactions": [{**payment, "status": "success"}],
                       "orders": [{**order, "order_status": "returned"}],
                       "customers": [{**customer, "account_status": "closed"}]},
          landed_on=AS_OF + timedelta(days=3))
    rebuild(world_copy, tmp_path / "dbt", RUN)
    after = _features(world_copy, AS_OF)
    pd.testing.assert_frame_equal(before, after, check_exact=True)
    row = after.set_index("customer_id").loc[cid]
    assert bool(row["is_active"])

    # a snapshot after they landed reads the new versions (the test can fail)
    rebuild(world_copy, tmp_path / "dbt", later_day)
    later_after = _features(world_copy, later_day).set_index("customer_id").loc[cid]
    assert bool(later_before["is_active"]) and not bool(later_after["is_active"])
    assert later_after["purchase_amount_365d"] == pytest.approx(
        later_before["purchase_amount_365d"] + 100.0)
    assert later_after["completed_orders"] == later_before["completed_orders"] - 1
    # and the marts, which keep the latest version, have them as they are now
    con = duckdb.connect(str(world_copy), read_only=True)
    try:
        assert con.execute("select status from marts.fct_transactions "
                           "where transaction_id = 'TLEAK1'").fetchone() == ("success",)
        assert con.execute("select is_active from marts.dim_customers "
                           f"where customer_id = '{cid}'").fetchone() == (False,)
    finally:
        con.close()
