-- Database and schemas for RAW tables and load metadata. Idempotent.
create database if not exists {{ params.database }};
create schema if not exists {{ params.database }}.{{ params.raw_schema }};
create schema if not exists {{ params.database }}.{{ params.meta_schema }};
