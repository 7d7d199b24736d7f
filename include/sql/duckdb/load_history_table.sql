-- One row per load attempt of one file (COPY INTO load metadata, kept forever).
create table if not exists {{ params.meta_schema }}.load_history (
    load_id varchar not null,
    source varchar not null,
    file_key varchar not null,
    file_etag varchar,
    file_md5 varchar,
    file_size bigint,
    file_last_modified timestamp,
    status varchar not null,
    row_count bigint,
    replaced_rows bigint,
    error_row bigint,
    error_column varchar,
    error_message varchar,
    quarantine_key varchar,
    run_id varchar,
    started_at timestamp not null,
    finished_at timestamp not null
);
