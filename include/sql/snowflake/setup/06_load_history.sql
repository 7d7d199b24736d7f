-- One row per load attempt of one file (kept beyond Snowflake's 64-day load metadata).
create table if not exists {{ ident(params.database) }}.{{ ident(params.meta_schema) }}.load_history (
    load_id varchar not null,
    source varchar not null,
    file_key varchar not null,
    file_etag varchar,
    file_md5 varchar,
    file_size number(38,0),
    file_last_modified timestamp_ntz,
    status varchar not null,
    row_count number(38,0),
    replaced_rows number(38,0),
    error_row number(38,0),
    error_column varchar,
    error_message varchar,
    quarantine_key varchar,
    run_id varchar,
    started_at timestamp_ntz not null,
    finished_at timestamp_ntz not null
);
