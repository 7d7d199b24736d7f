{#
    Every row (optionally filtered by `where`) satisfies the boolean SQL expression. Usage at
    model or column level:  - expression_is_true: {expression: "total_orders >= 0"}
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
