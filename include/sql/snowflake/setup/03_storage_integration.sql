-- The S3 trust between Snowflake and the landing bucket (needs ACCOUNTADMIN or CREATE INTEGRATION).
{% if params.storage_integration -%}
create storage integration if not exists {{ ident(params.storage_integration) }}
    type = external_stage
    storage_provider = 'S3'
    enabled = true
    storage_aws_role_arn = {{ lit(params.aws_role_arn) }}
    storage_allowed_locations = ({{ url(params.landing_url.rstrip("/") ~ "/") }});
{%- else -%}
select 'no storage integration requested: stages read their URL directly' as status;
{%- endif %}
