-- Database and schemas for RAW tables and load metadata. Idempotent.
create database if not exists {{ ident(params.database) }};
create schema if not exists {{ ident(params.database) }}.{{ ident(params.raw_schema) }};
create schema if not exists {{ ident(params.database) }}.{{ ident(params.meta_schema) }};
