insert into {{ params.meta_schema }}.load_history values (
    $load_id, $source, $file_key, $file_etag, $file_md5, $file_size, $file_last_modified::timestamp,
    $status, $row_count, $replaced_rows, $error_row, $error_column, $error_message,
    $quarantine_key, $run_id, $started_at::timestamp, $finished_at::timestamp
)
