-- every version of each record with its landing day (point in time): macros/staged_payments_and_events.sql
{{ staged_transactions(versions=true) }}
