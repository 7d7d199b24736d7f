{#
    Named RFM segment from the three 1-5 scores (rules applied in this order, first match wins):
      Prospect          no completed order yet
      Champions         R>=4, F>=4, M>=4
      Loyal             R>=3, F>=3
      New               R>=4 (and F<=2): bought recently, not often yet
      Promising         R=3 (and F<=2)
      Cannot Lose Them  R<=2, F>=4, M>=4: best customers drifting away
      At Risk           R<=2, F>=3
      Hibernating       R=2, F<=2
      Lost              R=1, F<=2
#}
{% macro rfm_segment(recency, frequency, monetary, total_orders) -%}
    case
        when coalesce({{ total_orders }}, 0) = 0 then 'Prospect'
        when {{ recency }} >= 4 and {{ frequency }} >= 4 and {{ monetary }} >= 4 then 'Champions'
        when {{ recency }} >= 3 and {{ frequency }} >= 3 then 'Loyal'
        when {{ recency }} >= 4 then 'New'
        when {{ recency }} = 3 then 'Promising'
        when {{ frequency }} >= 4 and {{ monetary }} >= 4 then 'Cannot Lose Them'
        when {{ frequency }} >= 3 then 'At Risk'
        when {{ recency }} = 2 then 'Hibernating'
        else 'Lost'
    end
{%- endmacro %}

{% macro rfm_segment_names() -%}
    {{ return(['Prospect', 'Champions', 'Loyal', 'New', 'Promising', 'Cannot Lose Them', 'At Risk', 'Hibernating', 'Lost']) }}
{%- endmacro %}
