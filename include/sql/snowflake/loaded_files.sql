select file_key, file_etag, file_md5, load_id
from {{ ident(params.database) }}.{{ ident(params.meta_schema) }}.load_history
where source = %(source)s and status = 'LOADED'
qualify row_number() over (partition by file_key order by finished_at desc) = 1;
