-- The latest successful load of every file of a source: what a re-run must skip.
select file_key, file_etag, file_md5, load_id
from {{ params.meta_schema }}.load_history
where source = $source and status = 'LOADED'
qualify row_number() over (partition by file_key order by finished_at desc) = 1
