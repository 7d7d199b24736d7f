-- a send re-exported after its open/click/conversion was recorded replaces the earlier row
{% call staged_latest(source('marketing', 'campaigns'), 'campaign_id') %}
    -- ids
    cast(trim(campaign_id) as varchar) as campaign_id,
    cast(trim(customer_id) as varchar) as customer_id,

    -- strings
    cast({{ clean_text('campaign_name') }} as varchar) as campaign_name,
    cast({{ clean_code('channel') }} as varchar) as channel,

    -- timestamps
    cast(sent_at as timestamp) as sent_at,
    cast(opened_at as timestamp) as opened_at,
    cast(clicked_at as timestamp) as clicked_at,

    -- booleans
    cast(coalesce(converted, false) as boolean) as converted
{% endcall %}
