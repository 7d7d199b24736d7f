{#
    The two shapes of the per-customer models, written once. aggregated_to_customers: a
    relation rolled up to one row per customer (and `by` columns, listed first), its
    aggregates the body of a `{% call aggregated_to_customers(...) %}` block.
#}
{% macro aggregated_to_customers(relation, by=[]) -%}
    {%- set group_by = by + ['customer_id'] -%}
    select
        {{ group_by | join(',\n        ') }},
        {{ caller() | trim }}
    from {{ relation }}
    group by {{ group_by | join(', ') }}
{%- endmacro %}

{#
    The joins of a spine to the relations that know something of its rows, all on the same
    keys: `spine.<key> = <relation>.<key>` for every key (customer_id for the per-customer
    models; with snapshot_date or scored_at where a row is a customer at a date). relations:
    CTE names, or 'name as alias'; kind: the join (left keeps every row of the spine).
#}
{% macro join_on_keys(spine, relations, keys=['customer_id'], kind='left') -%}
    {%- for relation in relations %}
    {{ kind }} join {{ relation }}
        on
            {% for key in keys -%}
                {{ spine }}.{{ key }} = {{ relation.split(' ')[-1] }}.{{ key }}
                {%- if not loop.last %}
            and {% endif -%}
            {%- endfor %}
    {%- endfor %}
{%- endmacro %}
