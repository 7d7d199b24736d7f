-- The pipes of the RAW schema, with the SQS queue (notification_channel) their bucket's event
-- notifications must reach (one per pipe; Snowflake often gives every pipe of an account the
-- same queue).
show pipes in schema {{ ident(params.database) }}.{{ ident(params.raw_schema) }};
