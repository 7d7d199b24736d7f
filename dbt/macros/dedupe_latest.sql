{#
    Ordering that picks the latest load of a re-exported record: the row loaded last wins, then
    the later file (landing keys sort by date), then the later row in that file.
#}
{% macro latest_load_order() -%}
    _loaded_at desc, _source_file desc, _source_row_number desc
{%- endmacro %}

{#
    The CTEs `source` and `latest_load` (every RAW row of `relation` with its load_rank per
    `key`, 1 = the latest load): the dedupe of every staging model, which then keeps
    `load_rank = 1`. raw_filter (optional, a predicate on RAW columns) keeps every load of the
    keys that have at least one load matching it, so the rank is exact (fct_transactions'
    incremental path stages a slice of RAW so).
#}
{% macro latest_load_ctes(relation, key, raw_filter=none) -%}
source as (

    select * from {{ relation }}
    {%- if raw_filter is not none %}
    where {{ key }} in (select {{ key }} from {{ relation }} where {{ raw_filter }})
    {%- endif %}

),

latest_load as (

    select
        *,
        row_number() over (
            partition by {{ key }}
            order by {{ latest_load_order() }}
        ) as load_rank
    from source
    where {{ key }} is not null

),
{%- endmacro %}
