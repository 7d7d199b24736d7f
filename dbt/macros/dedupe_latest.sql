{#
    Ordering that picks the latest load of a re-exported record: the row loaded last wins, then
    the later file (landing keys sort by date), then the later row in that file.
#}
{% macro latest_load_order() -%}
    _loaded_at desc, _source_file desc, _source_row_number desc
{%- endmacro %}

{#
    The CTEs `source`, `reloaded` and `latest_load` (every RAW row of `relation` with its
    load_rank per `key`, 1 = the latest load): the dedupe of every staging model, which then
    keeps `load_rank = 1`. Most records are loaded once: only the loads of the keys loaded more
    than once (`reloaded`, a small set) are ranked by a window, the others are their own latest
    load (rank 1) without one, so a view over millions of rows sorts thousands. raw_filter
    (optional, a predicate on RAW columns) keeps every load of the keys that have at least one
    load matching it, so the rank is exact (fct_transactions' incremental path stages a slice of
    RAW so). versions=true ranks the loads per key and landing day instead (`_landed_on`),
    keeping one row per version of a record: see record_versions below.
#}
{% macro latest_load_ctes(relation, key, raw_filter=none, versions=false) -%}
{%- set partition = [key, '_landed_on'] if versions else [key] -%}
source as (

    select
        *{% if versions %},
        {{ landed_on() }} as _landed_on{% endif %}
    from {{ relation }}
    where {{ key }} is not null
    {%- if raw_filter is not none %}
        and {{ key }} in (select {{ key }} from {{ relation }} where {{ raw_filter }})
    {%- endif %}

),

reloaded as (

    select {{ partition | join(', ') }}
    from source
    group by {{ partition | join(', ') }}
    having count(*) > 1

),

latest_load as (

    select
        source.*,
        1 as load_rank
    from source
    left join reloaded
        on {{ _same_partition(partition) }}
    where reloaded.{{ key }} is null

    union all

    select
        source.*,
        row_number() over (
            partition by {% for c in partition %}source.{{ c }}{{ ", " if not loop.last }}{% endfor %}
            order by {{ latest_load_order() }}
        ) as load_rank
    from source
    inner join reloaded
        on {{ _same_partition(partition) }}

),
{%- endmacro %}

{# The join of a `source` row to its `reloaded` row: same key (and landing day). #}
{% macro _same_partition(partition) -%}
    {%- for c in partition %}{{ " and " if not loop.first }}reloaded.{{ c }} = source.{{ c }}{% endfor -%}
{%- endmacro %}

{#
    A staging model's whole query, the one shape of them all: the latest load per `key` of the
    RAW `relation` (latest_load_ctes above; raw_filter as there), cleaned by the caller's select
    list (the body of a `{% call staged_latest(...) %}` block: every staged column but
    `_loaded_at`, which this adds last), then the latest version, or every version with its
    landing day (versions=true, record_versions below).
#}
{% macro staged_latest(relation, key, raw_filter=none, versions=false) -%}
with

{{ latest_load_ctes(relation, key, raw_filter, versions) }}

cleaned as (

    select
        {{ caller() | trim }},

        -- timestamps
        cast(_loaded_at as timestamp) as _loaded_at
        {{- landed_on_column(versions) }}

    from latest_load
    where load_rank = 1

)

{{ latest_or_versions('cleaned', key, versions) }}
{%- endmacro %}

{#
    The day a RAW row landed (UTC): the dt=YYYY-MM-DD partition of its file's landing key
    (every export lands under one: include/c360/sources.py, Source.file_key), else the day it
    was loaded. What the warehouse could know by the end of a day D is what had landed by D.
#}
{% macro landed_on() -%}
    {{ return(adapter.dispatch('landed_on', 'customer360')()) }}
{%- endmacro %}

{% macro default__landed_on() -%}
    coalesce(
        try_cast(nullif(regexp_extract(_source_file, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '') as date),
        cast(_loaded_at as date)
    )
{%- endmacro %}

{% macro snowflake__landed_on() -%}
    coalesce(
        try_to_date(regexp_substr(_source_file, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1, 1, 'e', 1)),
        cast(_loaded_at as date)
    )
{%- endmacro %}

{#
    The versions of a record, point in time (the staging models' `versions=true` form): one row
    per landing day of the record (the latest load of that day), valid from `_landed_on` until
    the next version landed (`_superseded_on`, exclusive; null = still current). The version of
    a record as it stood at the end of day D: `_landed_on <= D and (_superseded_on is null or
    _superseded_on > D)` (macro version_as_of). `cleaned`: the staging model's cleaned CTE with
    `_landed_on`.
#}
{% macro record_versions(cleaned, key) -%}
    select
        *,
        lead(_landed_on) over (partition by {{ key }} order by _landed_on) as _superseded_on
    from {{ cleaned }}
{%- endmacro %}

{# The staged columns' tail: the landing day when the staging model lists versions. #}
{% macro landed_on_column(versions) -%}
    {%- if versions %},

        -- dates
        cast(_landed_on as date) as _landed_on
    {%- endif %}
{%- endmacro %}

{# The last select of a staging model: the latest version, or every version (record_versions). #}
{% macro latest_or_versions(cleaned, key, versions) -%}
    {%- if versions -%}
        {{ record_versions(cleaned, key) }}
    {%- else -%}
        select * from {{ cleaned }}
    {%- endif -%}
{%- endmacro %}

{# True for the version of a record (relation alias `versions`) that stood at the end of `day`. #}
{% macro version_as_of(versions, day) -%}
    {{ versions }}._landed_on <= {{ day }}
    and ({{ versions }}._superseded_on is null or {{ versions }}._superseded_on > {{ day }})
{%- endmacro %}
