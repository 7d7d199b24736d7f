{#- Erase one person's personal data (the catalog's pii columns) from every table that holds
    it: RAW, dbt's tables (marts, the snapshot's history). Keys and every other column stay,
    so joins, counts and aggregates are unchanged. Staging views show what RAW holds. -#}
{% for rel in relations -%}
update {{ rel.schema }}.{{ rel.name }}
set {% for c in rel.columns %}{{ c }} = null{{ ", " if not loop.last }}{% endfor %}
where {{ rel.key }} = {{ customer_id }};
{% endfor %}
