-- The loading session's time zone: a timestamp without an offset in a file is UTC (the RAW
-- timestamps are UTC), whatever the account's or user's TIMEZONE. Run before each COPY's
-- transaction.
alter session set timezone = 'UTC';
