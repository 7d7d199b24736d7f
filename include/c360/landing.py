"""The landing zone: where source systems drop their export files.

One interface, two places: a local folder (the embedded default, ``data/landing``) and an
S3 bucket/prefix read through the amazon provider's ``S3Hook`` (``aws_default``). The
generator writes through it and ingestion reads through it, so both work on either.
Keys are relative, ``/``-separated paths such as ``orders/dt=2026-11-24/orders_20261124.csv.gz``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from include.c360.constants import AWS_CONN_ID


@dataclass(frozen=True)
class LandingFile:
    key: str
    size: int
    last_modified: datetime
    etag: str  # S3 ETag, or size+mtime for a local file: changes when the file is rewritten


class LocalLandingZone:
    """A folder on disk. Writes are atomic: a reader never sees half a file."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.uri = str(self.root)

    def _path(self, key: str) -> Path:
        p = (self.root / key).resolve()
        if self.root not in p.parents and p != self.root:
            raise ValueError(f"landing key {key!r} escapes the landing zone {self.root}")
        return p

    @contextmanager
    def open_writer(self, key: str) -> Generator[IO[bytes], None, None]:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.name)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put_file(self, local_path: str | Path, key: str) -> None:
        with open(local_path, "rb") as src, self.open_writer(key) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)

    def list(self, prefix: str = "") -> list[LandingFile]:
        base = self._path(prefix) if prefix else self.root
        # a prefix may end inside a name ("orders/dt=2026-11"), so walk its parent folder
        walk_root = base if base.is_dir() else base.parent
        if not walk_root.exists():
            return []
        out = []
        for dirpath, dirnames, filenames in os.walk(walk_root):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith(".tmp-"):
                    continue
                p = Path(dirpath) / name
                key = p.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                st = p.stat()
                out.append(
                    LandingFile(
                        key=key,
                        size=st.st_size,
                        last_modified=datetime.fromtimestamp(st.st_mtime, tz=UTC),
                        etag=f"{st.st_size}-{st.st_mtime_ns}",
                    )
                )
        return out

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def open(self, key: str) -> IO[bytes]:
        return open(self._path(key), "rb")

    @contextmanager
    def local_copy(self, key: str) -> Generator[Path, None, None]:
        """A local path with the file's bytes (the file itself: nothing is copied)."""
        yield self._path(key)

    def move(self, key: str, dest_key: str) -> None:
        """Move a file within the zone, never over an existing one (``FileExistsError``): a
        hard link under the new name, then the old name removed (one filesystem, no copy)."""
        dest = self._path(dest_key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.link(self._path(key), dest)
        os.unlink(self._path(key))

    def delete(self, key: str) -> None:
        self._path(key).unlink()

    def md5(self, key: str) -> str:
        h = hashlib.md5(usedforsecurity=False)
        with self.open(key) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


class S3LandingZone:
    """``s3://bucket/prefix`` through the amazon provider's S3Hook (connection ``aws_default``)."""

    def __init__(self, uri: str, aws_conn_id: str = AWS_CONN_ID):
        if not uri.startswith("s3://"):
            raise ValueError(f"not an s3:// URI: {uri!r}")
        bucket, _, prefix = uri[len("s3://") :].partition("/")
        self.uri = uri
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.aws_conn_id = aws_conn_id
        self._hook = None

    @property
    def hook(self):
        if self._hook is None:
            from airflow.providers.amazon.aws.hooks.s3 import S3Hook

            self._hook = S3Hook(aws_conn_id=self.aws_conn_id)
        return self._hook

    def _full(self, key: str) -> str:
        return self.prefix + key

    @contextmanager
    def open_writer(self, key: str) -> Generator[IO[bytes], None, None]:
        # S3 PUTs are atomic: spool locally, upload whole on success
        with tempfile.NamedTemporaryFile(suffix=Path(key).name) as tmp:
            yield tmp
            tmp.flush()
            self.put_file(tmp.name, key)

    def put_file(self, local_path: str | Path, key: str) -> None:
        self.hook.load_file(str(local_path), self._full(key), bucket_name=self.bucket, replace=True)

    def list(self, prefix: str = "") -> list[LandingFile]:
        client = self.hook.get_conn()
        out = []
        paginator = client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._full(prefix)):
            for obj in page.get("Contents", []):
                out.append(
                    LandingFile(
                        key=obj["Key"][len(self.prefix) :],
                        size=obj["Size"],
                        last_modified=obj["LastModified"],
                        etag=obj["ETag"].strip('"'),
                    )
                )
        return sorted(out, key=lambda f: f.key)

    def exists(self, key: str) -> bool:
        return self.hook.check_for_key(self._full(key), bucket_name=self.bucket)

    def open(self, key: str) -> IO[bytes]:
        obj = self.hook.get_key(self._full(key), bucket_name=self.bucket)
        return obj.get()["Body"]

    @contextmanager
    def local_copy(self, key: str) -> Generator[Path, None, None]:
        """Download the object to a temporary file (removed afterwards) and yield its path."""
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / Path(key).name
            self.hook.get_conn().download_file(self.bucket, self._full(key), str(path))
            yield path

    def _head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.hook.get_conn().head_object(Bucket=self.bucket, Key=self._full(key))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def move(self, key: str, dest_key: str) -> None:
        """Copy, check, delete: the object is deleted only once its copy is there with the same
        size and (single-part uploads) the same ETag; never over an existing object
        (``FileExistsError``). A failed check raises ``OSError`` and deletes nothing."""
        source = self._head(key)
        if source is None:
            raise FileNotFoundError(f"s3://{self.bucket}/{self._full(key)} does not exist")
        if self._head(dest_key) is not None:
            raise FileExistsError(f"s3://{self.bucket}/{self._full(dest_key)} already exists")
        self.hook.copy_object(
            self._full(key), self._full(dest_key),
            source_bucket_name=self.bucket, dest_bucket_name=self.bucket,
        )
        copy = self._head(dest_key)
        etag = source["ETag"].strip('"')
        if (copy is None or copy["ContentLength"] != source["ContentLength"]
                or ("-" not in etag and copy["ETag"].strip('"') != etag)):
            raise OSError(f"copying s3://{self.bucket}/{self._full(key)} to {dest_key} did not "
                          f"produce the same object ({copy and copy['ContentLength']} bytes, "
                          f"{source['ContentLength']} expected); the original is kept")
        self.hook.delete_objects(self.bucket, [self._full(key)])

    def delete(self, key: str) -> None:
        self.hook.delete_objects(self.bucket, [self._full(key)])

    def md5(self, key: str) -> str:
        return next(f.etag for f in self.list(key) if f.key == key)

    def put_queue_notifications(self, queues: dict[str, str],
                                id_prefix: str = "c360-snowpipe-") -> list[dict]:
        """Send the bucket's ``s3:ObjectCreated:*`` events under ``<prefix><name>/`` to the
        SQS queue ARN of each ``name`` (Snowpipe AUTO_INGEST). The bucket's other notification
        configurations are kept; ours (``Id`` starting ``id_prefix``) are replaced, so it is
        idempotent. Returns the queue configurations written."""
        client = self.hook.get_conn()
        current = client.get_bucket_notification_configuration(Bucket=self.bucket)
        current.pop("ResponseMetadata", None)
        ours = [{"Id": f"{id_prefix}{name}", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                 "Filter": {"Key": {"FilterRules": [
                     {"Name": "prefix", "Value": self._full(f"{name}/")}]}}}
                for name, arn in sorted(queues.items())]
        kept = [q for q in current.get("QueueConfigurations", [])
                if not str(q.get("Id", "")).startswith(id_prefix)]
        current["QueueConfigurations"] = kept + ours
        client.put_bucket_notification_configuration(
            Bucket=self.bucket, NotificationConfiguration=current)
        return ours


LandingZone = LocalLandingZone | S3LandingZone


def landing_zone(uri: str | None = None, aws_conn_id: str = AWS_CONN_ID) -> LandingZone:
    """The landing zone at ``uri`` (default: the configured ``C360_LANDING``)."""
    if uri is None:
        from include.c360.config import settings

        uri = settings().landing
    if uri.startswith("s3://"):
        return S3LandingZone(uri, aws_conn_id=aws_conn_id)
    return LocalLandingZone(uri)
