{#
    The churn band of a churn probability (fct_customer_value.churn_band, tracked by the
    snap_customer_segments snapshot): high above var churn_alert_threshold (0.7, the spec's
    "> 0.7 = high risk"), medium above var churn_medium_threshold (0.3), else low; null when
    the customer was not scored (churn scores active accounts only).
#}
{% macro churn_band(probability) -%}
    case
        when {{ probability }} is null then null
        when {{ probability }} > {{ var('churn_alert_threshold') }} then 'high'
        when {{ probability }} > {{ var('churn_medium_threshold') }} then 'medium'
        else 'low'
    end
{%- endmacro %}

{% macro churn_band_names() -%}
    {{ return(['high', 'medium', 'low']) }}
{%- endmacro %}
