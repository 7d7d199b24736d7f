"""Lint-time stand-ins for dbt's cross-database macros (``dbt.datediff`` ...) for sqlfluff."""


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + interval ({interval}) {datepart})"


def date_spine(datepart, start_date, end_date):
    return (f"select unnest(generate_series({start_date}, {end_date}, interval 1 {datepart})) "
            f"as date_{datepart}")
