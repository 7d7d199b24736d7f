-- Every file of a source the load history has a row for, whatever its state (loaded, rejected,
-- resolved, released): the delivered partitions a gap is measured against.
select distinct file_key
from {{ params.meta_schema }}.load_history
where source = $source
