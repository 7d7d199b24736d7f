{#- RAW history retention: a row loaded before the cutoff is deleted when a row of the same
    key was loaded after it (a superseded version: it can never again be its key's current
    row, whatever staging's tie-break). Every key keeps its newest load. -#}
delete from {{ schema }}.{{ src.name }}
where _loaded_at < {{ cutoff }}
    and exists (
        select 1 from {{ schema }}.{{ src.name }} as newer
        where newer.{{ src.key }} = {{ schema }}.{{ src.name }}.{{ src.key }}
            and newer._loaded_at > {{ schema }}.{{ src.name }}._loaded_at
    );
