{# No two rows share the same combination of the given columns. #}
{% test unique_combination(model, combination_of_columns) %}

select {{ combination_of_columns | join(', ') }}
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
