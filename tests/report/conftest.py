"""The S3 landing-zone fixtures (moto server) of the ingestion tests, for the export's."""

from tests.ingest.conftest import env, moto_endpoint, s3_env  # noqa: F401
