-- latest load per transaction_id, cleaned and typed: macros/staged_payments_and_events.sql
-- (a macro so the incremental path of fct_transactions can stage a slice of RAW the same way)
{{ staged_transactions() }}
