-- Rejected files of a source whose latest load-history row is still the rejection (no later
-- LOADED or RESOLVED row); with run_id, only the files that run rejected.
with latest as (
    select *
    from {{ ident(params.database) }}.{{ ident(params.meta_schema) }}.load_history
    where source = %(source)s
    qualify row_number() over (partition by file_key order by finished_at desc) = 1
)
select file_key, status, error_message, error_row, error_column, quarantine_key, run_id,
    file_etag, file_md5, file_size, file_last_modified
from latest
where status in ('FAILED', 'REJECTED_CHANGED')
    and (%(run_id)s is null or file_key in (
        select file_key from {{ ident(params.database) }}.{{ ident(params.meta_schema) }}.load_history
        where source = %(source)s and run_id = %(run_id)s
            and status in ('FAILED', 'REJECTED_CHANGED')))
order by file_key;
