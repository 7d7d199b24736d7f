"""fakesnow's HTTP server as the production Snowflake of the end-to-end test (tests only).

    python -m tests.emulators.fakesnow_server --port P --cert C --key K --s3-endpoint URL \
        --pipe-channel ARN

Served over HTTPS (the provider's SnowflakeHook has no ``protocol`` setting: the connector always
speaks https; the test's processes trust the self-signed certificate through
``REQUESTS_CA_BUNDLE``). What is added to fakesnow 0.12, each a stand-in for a Snowflake feature
it lacks, never a change of the product's SQL:

* external stages on ``s3://`` read through boto3 from moto's server (an fsspec filesystem
  registered on fakesnow's DuckDB; DuckDB's own httpfs cannot be installed here);
* the COPY answers of ``tests/ingest/fakesnow_copy.py`` (transformations, the 0-files answer,
  ``LOAD_UNCERTAIN_FILES``);
* what fakesnow has no objects for, run as no-ops in every session (``NOPS``: CREATE PIPE,
  STORAGE INTEGRATION and MASKING POLICY, and setting a masking policy on a column, as setup
  and dbt's ``mask_pii_columns`` post-hook do);
* ``SHOW PIPES`` answers the pipes setup created (fakesnow no-ops CREATE PIPE through the
  session's ``nop_regexes``) with ``--pipe-channel`` as their notification channel;
* what dbt-snowflake sends, the two rewrites the in-process dbt test makes with its macro shims
  (``tests/dbt/fakesnow_shims/``; Cosmos runs the production project, so here they are made on
  the statement): a TEMPORARY table or view (fully qualified: DuckDB allows temporaries only in
  its ``temp`` catalog) becomes an ordinary one, which dbt drops as it does temporaries, and
  the VALUES of a MERGE's ``when not matched then insert`` are qualified with dbt's
  ``DBT_INTERNAL_SOURCE`` alias (fakesnow's MERGE-as-joins finds them ambiguous; Snowflake
  reads them the same).
"""

from __future__ import annotations

import argparse
import io
import re
from typing import Any

from fsspec.spec import AbstractFileSystem


class S3ReadOnly(AbstractFileSystem):
    """Just what DuckDB's readers ask of an fsspec filesystem, over a boto3 S3 client."""

    protocol = ("s3",)

    def __init__(self, client: Any, **kwargs: Any):
        super().__init__(skip_instance_cache=True, **kwargs)
        self.client = client

    def _split(self, path: str) -> tuple[str, str]:
        bucket, _, key = self._strip_protocol(path).partition("/")
        return bucket, key

    def info(self, path: str, **kwargs: Any) -> dict:
        bucket, key = self._split(path)
        head = self.client.head_object(Bucket=bucket, Key=key)
        return {"name": f"{bucket}/{key}", "size": head["ContentLength"], "type": "file"}

    def modified(self, path: str) -> Any:
        bucket, key = self._split(path)
        return self.client.head_object(Bucket=bucket, Key=key)["LastModified"]

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list:
        bucket, prefix = self._split(path)
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                       Prefix=prefix)
        out = [{"name": f"{bucket}/{o['Key']}", "size": o["Size"], "type": "file"}
               for page in pages for o in page.get("Contents", [])]
        return out if detail else [o["name"] for o in out]

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> io.BytesIO:
        bucket, key = self._split(path)
        return io.BytesIO(self.client.get_object(Bucket=bucket, Key=key)["Body"].read())


# after the statement's leading comment lines, which the SQL operator keeps
NOPS = [
    *(rf"(?s)(\s*--[^\n]*\n)*\s*create {what}\b"
      for what in ("pipe", "storage integration", "masking policy")),
    r"(?s)(\s*--[^\n]*\n)*\s*alter (table|view) \S+ modify\s+column .*masking policy"]
TEMPORARY = re.compile(r"^(\s*create\s+or\s+replace\s+)temporary\s+(table|view)\b", re.I)
MERGE_INSERT = re.compile(
    r"(when\s+not\s+matched\s+then\s+insert\s*\(([^()]*)\)\s*values\s*\()\s*\2\s*\)", re.I)


def dbt_rewrites(command: str) -> str:
    """The statement as fakesnow can run it (module docstring: temporaries, MERGE values)."""
    command = TEMPORARY.sub(r"\1\2", command)
    return MERGE_INSERT.sub(
        lambda m: m.group(1) + ", ".join(f"DBT_INTERNAL_SOURCE.{c.strip()}"
                                         for c in m.group(2).split(",")) + ")", command)


def _rewrite_statements(channel: str) -> None:
    from fakesnow.cursor import FakeSnowflakeCursor

    from include.c360.ingest.sql import snowpipe_sources

    rows = " union all ".join(
        f"select '{s.name.upper()}_PIPE' as name, '{channel}' as notification_channel"
        for s in snowpipe_sources())
    execute = FakeSnowflakeCursor.execute

    def patched(self, command: str, *args: Any, **kwargs: Any):
        if re.match(r"\s*show\s+pipes\b", command, re.I):
            command = rows
        return execute(self, dbt_rewrites(command), *args, **kwargs)

    FakeSnowflakeCursor.execute = patched


def _nop_in_every_session() -> None:
    from fakesnow.instance import FakeSnow

    connect = FakeSnow.connect

    def patched(self, database=None, schema=None, nop_regexes=None, **kwargs: Any):
        return connect(self, database, schema, nop_regexes=[*(nop_regexes or []), *NOPS],
                       **kwargs)

    FakeSnow.connect = patched


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--port", "--cert", "--key", "--s3-endpoint", "--pipe-channel"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()

    import boto3
    import fakesnow.server
    import uvicorn

    from tests.ingest.fakesnow_copy import snowflake_like_copy

    s3 = boto3.client("s3", endpoint_url=args.s3_endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    fakesnow.server.shared_fs.duck_conn.register_filesystem(S3ReadOnly(s3))
    _nop_in_every_session()
    _rewrite_statements(args.pipe_channel)
    with snowflake_like_copy():
        uvicorn.run(fakesnow.server.app, host="127.0.0.1", port=int(args.port),
                    ssl_certfile=args.cert, ssl_keyfile=args.key, log_level="warning")


if __name__ == "__main__":
    main()
