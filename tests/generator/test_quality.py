"""Keys, foreign keys, enumerations, nulls and the documented dirt."""

from __future__ import annotations

import math

import pytest

from include.c360.generator import dirt as D
from include.c360.generator import pools as P
from include.c360.sources import SOURCES, source
from tests.generator.conftest import AS_OF, rows, scalar

# columns whose change makes a new version (status-update re-export)
VERSIONED = {"customers": ("kyc_status", "account_status"), "orders": ("order_status",),
             "support_tickets": ("status",)}


def assert_rate(hits: int, n: int, rate: float, what: str, slack: float = 0.0) -> None:
    """Observed share within ~4 binomial standard deviations (+ slack) of the documented rate."""
    assert n > 0, what
    sd = math.sqrt(n * rate * (1 - rate))
    assert abs(hits - n * rate) <= 4 * sd + 2 + slack * n * rate, \
        f"{what}: {hits}/{n} = {hits / n:.4f}, documented {rate:.4f}"


def _row_hash(src) -> str:
    return "md5(concat_ws('|', " + ", ".join(
        f"coalesce(\"{c.name}\", '<null>')" for c in src.raw_columns) + "))"


@pytest.mark.parametrize("src", SOURCES, ids=lambda s: s.name)
def test_key_at_most_once_per_file(gen, src):
    assert scalar(gen.con, f"""
        select count(*) from (select _file from raw_{src.name} where "{src.key}" is null
        union all select _file from raw_{src.name} group by _file, "{src.key}"
        having count(*) > 1)""") == 0


@pytest.mark.parametrize("src", [s for s in SOURCES if s.name != "products"],
                         ids=lambda s: s.name)
def test_repeated_keys_are_documented_reexports(gen, src):
    """A key repeats only in a later file: as an identical copy (at the documented rate) or,
    for versioned sources, as a new version whose status changed."""
    k = src.key
    data = rows(gen.con, f"""
        with r as (
            select "{k}" as k, _file, {_row_hash(src)} as h,
                   {" || '|' || ".join(f"coalesce(lower(trim({c})), '')"
                                        for c in VERSIONED.get(src.name, ("'x'",)))} as st
            from raw_{src.name}),
        l as (select *, lag(h) over w as prev_h, lag(st) over w as prev_st,
                     row_number() over w as rn
              from r window w as (partition by k order by _file))
        select count(*) filter (where rn = 1),
               count(*) filter (where rn > 1 and h = prev_h),
               count(*) filter (where rn > 1 and h <> prev_h),
               count(*) filter (where rn > 1 and h <> prev_h and st = prev_st)
        from l""")[0]
    firsts, copies, versions, same_status = data
    originals = firsts + versions
    assert_rate(copies, originals, D.DUPLICATE_RATES[src.name], f"{src.name} re-exports",
                slack=0.25)
    if src.name in VERSIONED:
        assert versions > 0
        assert same_status <= 0.03 * versions + 2, "versions must change a status"
    else:
        assert versions == 0, "only identical copies may repeat a key"


FKS = [  # child, column, parent, parent key
    ("orders", "customer_id", "customers", "customer_id"),
    ("orders", "product_id", "products", "product_id"),
    ("transactions", "customer_id", "customers", "customer_id"),
    ("transactions", "order_id", "orders", "order_id"),
    ("events", "customer_id", "customers", "customer_id"),
    ("campaigns", "customer_id", "customers", "customer_id"),
    ("support_tickets", "customer_id", "customers", "customer_id"),
]


@pytest.mark.parametrize("child,col,parent,pk", FKS, ids=[f"{f[0]}.{f[1]}" for f in FKS])
@pytest.mark.parametrize("upto", ["history", "all"])
def test_foreign_keys_resolve(gen, child, col, parent, pk, upto):
    """In the history alone and with the increments: children never land before parents."""
    cut = f"and _dt <= DATE '{AS_OF}'" if upto == "history" else ""
    orphans = scalar(gen.con, f"""
        select count(*) from raw_{child} c
        where c."{col}" is not null {cut}
          and not exists (select 1 from raw_{parent} p where p."{pk}" = c."{col}" {cut})""")
    assert orphans == 0


def test_payments_belong_to_the_orders_customer(gen):
    assert scalar(gen.con, """
        select count(*) from raw_transactions t
        join (select distinct order_id, customer_id from raw_orders) o using (order_id)
        where o.customer_id <> t.customer_id""") == 0


@pytest.mark.parametrize("table_col", sorted(P.ENUMERATIONS), ids=lambda t: ".".join(t))
def test_enumerations_within_the_spec_after_trim_lower(gen, table_col):
    table, col = table_col
    values = {r[0] for r in rows(gen.con, f"""
        select distinct lower(trim("{col}")) from raw_{table} where "{col}" is not null""")}
    spec = set(P.ENUMERATIONS[table_col])
    assert values <= spec, values - spec
    assert values == spec, f"values never generated: {spec - values}"
    assert scalar(gen.con, f'select count(*) from raw_{table} where "{col}" is null') == 0


def test_codes_countries_states_currencies(gen):
    countries = {r[0] for r in rows(gen.con, "select distinct upper(trim(country)) "
                                             "from raw_customers")}
    assert countries <= {c[0] for c in P.COUNTRIES} and "US" in countries and len(countries) > 3
    states = {r[0] for r in rows(gen.con, "select distinct upper(trim(state)) from "
                                          "raw_customers where state is not null")}
    assert states <= {s for s, _ in P.US_STATES} and len(states) > 20
    # state is a US state code: present exactly for US customers
    assert scalar(gen.con, """select count(*) from raw_customers
        where (upper(trim(country)) = 'US') <> (state is not null)""") == 0
    cur = {r[0] for r in rows(gen.con, "select distinct upper(currency) from raw_transactions")}
    assert cur <= set(P.CURRENCIES) and len(cur - {"USD"}) >= 3
    langs = {r[0] for r in rows(gen.con, "select distinct preferred_language from raw_customers "
                                         "where preferred_language is not null")}
    assert langs <= set(P.LANGUAGES) and "en" in langs


def test_emails_unique_per_customer(gen):
    assert scalar(gen.con, """select count(*) from (select lower(trim(email)) e
        from raw_customers group by 1 having count(distinct customer_id) > 1)""") == 0


def test_nullable_columns_are_null_at_realistic_rates(gen):
    c = gen.con
    share = lambda sql: scalar(c, sql)  # noqa: E731
    assert 0.08 < share("select avg((phone is null)::int) from "
                        "(select distinct customer_id, phone from raw_customers)") < 0.17
    assert 0.4 < share("select avg((order_id is null)::int) from raw_transactions") < 0.9
    anon = share("""select avg((customer_id is null)::int) from
                    (select distinct session_id, customer_id from raw_events)""")
    assert 0.18 < anon < 0.32
    assert 0.55 < share("select avg((opened_at is null)::int) from raw_campaigns") < 0.9
    assert share("select avg((clicked_at is null)::int) from raw_campaigns") > share(
        "select avg((opened_at is null)::int) from raw_campaigns")
    assert share("select count(*) from raw_campaigns where clicked_at is not null "
                 "and (opened_at is null or clicked_at < opened_at)") == 0
    assert share("select count(*) from raw_support_tickets where resolved_at is null") > 0
    assert share("select count(*) from raw_support_tickets where resolved_at < created_at") == 0
    assert 0.2 < share("""select avg((satisfaction_score is null)::int) from raw_support_tickets
                          where resolved_at is not null""") < 0.7
    assert share("select count(*) from raw_support_tickets where resolved_at is null "
                 "and satisfaction_score is not null") == 0


def test_name_and_code_dirt_at_documented_rates(gen):
    c = gen.con
    for col in ("first_name", "last_name"):
        n, ws, case = rows(c, f"""select count(*),
            count(*) filter (where {col} <> trim({col})),
            count(*) filter (where trim({col}) in (upper(trim({col})), lower(trim({col}))))
            from (select distinct customer_id, {col} from raw_customers)""")[0]
        assert_rate(ws, n, D.NAME_WS, f"{col} whitespace")
        assert_rate(case, n, D.NAME_CASE, f"{col} case", slack=0.1)
    n, low = rows(c, """select count(*), count(*) filter (where trim(country) <> upper(country))
        from (select distinct customer_id, country from raw_customers)""")[0]
    assert_rate(low, n, D.CODE_CASE + D.CODE_WS * 0, "country case", slack=0.2)
    n, nul = rows(c, """select count(*), count(*) filter (where preferred_language is null)
        from (select distinct customer_id, preferred_language from raw_customers)""")[0]
    assert_rate(nul, n, D.LANGUAGE_NULL, "preferred_language null")
    n, up = rows(c, """select count(*), count(*) filter (where email <> lower(email))
        from (select distinct customer_id, email from raw_customers)""")[0]
    assert_rate(up, n, D.EMAIL_CASE, "email case")


ENUM_COLS = [(t, c) for (t, c) in P.ENUMERATIONS if t != "events" or c == "device_type"]


def test_enumeration_dirt_at_documented_rates(gen):
    hits_case = hits_ws = n = 0
    for table, col in ENUM_COLS:
        tn, tc, tw = rows(gen.con, f"""select count(*),
            count(*) filter (where trim("{col}") <> lower(trim("{col}"))),
            count(*) filter (where "{col}" <> trim("{col}")) from raw_{table}""")[0]
        n, hits_case = n + tn, hits_case + tc
        if D.dirt_for(table, "whitespace") and any(
                col in d.columns for d in D.dirt_for(table, "whitespace")):
            hits_ws += tw
        else:
            assert tw == 0, f"{table}.{col} must not be padded"
    assert_rate(hits_case, n, D.ENUM_CASE, "enumeration case")
    assert hits_ws > 0


LATE_SQL = {  # first appearance of each key landing in a later day's partition
    "orders": "order_date::date < _dt",
    "support_tickets": "created_at::timestamp::date < _dt",
    "campaigns": "sent_at::timestamp::date + 7 < _dt",
    "transactions": "(transaction_date::timestamp + interval 24 hour)::date <= _dt "
                    "and order_id is null",
    "events": "(event_timestamp::timestamp + interval 24 hour)::date <= _dt",
}


@pytest.mark.parametrize("name", sorted(LATE_SQL))
def test_late_arrivals_at_documented_rates(gen, name):
    src = source(name)
    scope = "where order_id is null" if name == "transactions" else ""
    n, late = rows(gen.con, f"""
        with firsts as (select * from raw_{name} {scope}
                        qualify row_number() over (partition by "{src.key}" order by _file) = 1)
        select count(*), count(*) filter (where {LATE_SQL[name]}) from firsts""")[0]
    assert_rate(late, n, D.LATE_RATES[name], f"{name} late arrivals", slack=0.15)


def test_readme_documents_the_dirt_table():
    from pathlib import Path

    readme = (Path(D.__file__).parent / "README.md").read_text()
    assert D.dirt_markdown() in readme
