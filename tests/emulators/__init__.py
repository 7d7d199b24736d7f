"""The production path's stand-ins as servers, started and stopped by a test: moto's S3/SQS
server (in this process, a thread) and fakesnow's HTTPS server (a process group of its own,
``fakesnow_server.py``). Everything started here is stopped when its block ends."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate for localhost / 127.0.0.1 (and its key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fakesnow.pem", folder / "fakesnow.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextmanager
def moto_server() -> Generator[str, None, None]:
    """moto's S3 (and SQS) server on a free port: its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the fakesnow server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"the fakesnow server did not listen on {port} in {timeout:.0f}s")


@contextmanager
def fakesnow_server(folder: Path, s3_endpoint: str, pipe_channel: str
                    ) -> Generator[dict, None, None]:
    """fakesnow over HTTPS in its own process group; yields the connector's keyword arguments
    (set ``REQUESTS_CA_BUNDLE`` to ``ca_bundle`` in every process that connects)."""
    cert, key = self_signed_cert(folder)
    port = free_port()
    log = open(folder / "fakesnow_server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.emulators.fakesnow_server", "--port", str(port),
         "--cert", str(cert), "--key", str(key), "--s3-endpoint", s3_endpoint,
         "--pipe-channel", pipe_channel],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, proc, 60)
        yield {"host": "localhost", "port": port, "account": "fakesnow", "user": "fake",
               "password": "snow", "ca_bundle": str(cert)}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


AWS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
       "region_name": "us-east-1"}


def snowflake_connection(snow: dict, database: str = "C360") -> str:
    """``AIRFLOW_CONN_SNOWFLAKE_DEFAULT`` for the fakesnow server: what the provider's hook,
    the connector and Cosmos' dbt profile mapping read (host, port; https is the default)."""
    return json.dumps({
        "conn_type": "snowflake", "login": snow["user"], "password": snow["password"],
        "schema": "RAW", "extra": {
            "account": snow["account"], "database": database, "warehouse": "c360_wh",
            "host": snow["host"], "port": snow["port"], "insecure_mode": True}})


def production_env(snow: dict, s3_endpoint: str, landing: str) -> dict[str, str]:
    """The environment of an Airflow on the production target over the two emulators (for
    ``tests.airflow_server.airflow_env``)."""
    return {"C360_TARGET": "snowflake", "C360_LANDING": landing,
            "AIRFLOW_CONN_SNOWFLAKE_DEFAULT": snowflake_connection(snow),
            "AIRFLOW_CONN_AWS_DEFAULT": json.dumps({
                "conn_type": "aws", "login": "testing", "password": "testing",
                "extra": {"endpoint_url": s3_endpoint, "region_name": "us-east-1"}}),
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "REQUESTS_CA_BUNDLE": snow["ca_bundle"],
            "C360_RETRY_DELAY_SECONDS": "1"}


def snowflake_cursor(snow: dict, database: str = "C360", schema: str = "RAW") -> Any:
    """A connector cursor on the fakesnow server (its connection closes with the cursor's
    ``connection.close()``)."""
    import snowflake.connector

    con = snowflake.connector.connect(
        host=snow["host"], port=snow["port"], account=snow["account"], user=snow["user"],
        password=snow["password"], database=database, schema=schema, insecure_mode=True)
    return con.cursor()
