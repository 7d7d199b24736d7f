insert into {{ ident(params.database) }}.{{ ident(params.meta_schema) }}.load_history (
    load_id, source, file_key, file_etag, file_md5, file_size, file_last_modified, status,
    row_count, replaced_rows, error_row, error_column, error_message, quarantine_key, run_id,
    started_at, finished_at)
values (%(load_id)s, %(source)s, %(file_key)s, %(file_etag)s, %(file_md5)s, %(file_size)s,
    %(file_last_modified)s, %(status)s, %(row_count)s, %(replaced_rows)s, %(error_row)s,
    %(error_column)s, %(error_message)s, %(quarantine_key)s, %(run_id)s, %(started_at)s,
    %(finished_at)s);
