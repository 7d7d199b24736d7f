{#
    Min-max normalisation to [0, 1] over the whole population of the model (window over all
    rows). A null input or a constant column gives 0.
#}
{% macro minmax_norm(expression) -%}
    coalesce(
        case
            when max({{ expression }}) over () > min({{ expression }}) over ()
                then
                    cast(({{ expression }}) - min({{ expression }}) over () as double)
                    / (max({{ expression }}) over () - min({{ expression }}) over ())
            else 0.0
        end,
        0.0
    )
{%- endmacro %}
