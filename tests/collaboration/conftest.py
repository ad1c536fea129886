"""Users, records and a real S3-compatible server (moto's, over HTTP) for the notes and files tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.test import override_settings
from moto.server import ThreadedMotoServer

from identity.models import Role, User
from identity.services.accounts import ensure_user
from tests.tenancy import PASSWORD, TenantFixture

OTHER_REP_EMAIL = "other-rep@example.test"
VIEWER_EMAIL = "viewer@example.test"
BUCKET = "relata-attachments-test"
S3_KEYS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


@pytest.fixture
def other_rep(alpha: TenantFixture) -> User:
    """A second sales rep of alpha: sees only their own records."""
    with alpha.active():
        return ensure_user(
            email=OTHER_REP_EMAIL, password=PASSWORD, role=Role.objects.get(key="sales_rep"), full_name="Otto Other"
        )


@pytest.fixture
def viewer(alpha: TenantFixture) -> User:
    """A read-only user of alpha: sees every record, changes none."""
    with alpha.active():
        return ensure_user(
            email=VIEWER_EMAIL, password=PASSWORD, role=Role.objects.get(key="read_only"), full_name="Vera Viewer"
        )


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free local port, for the whole session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> Iterator[Any]:
    """Attachments stored in an empty bucket of the S3 server through django-storages."""
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
        region_name="us-east-1",
    )  # fmt: skip
    client.create_bucket(Bucket=BUCKET)
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "default_acl": "private",
                "querystring_auth": True, "file_overwrite": False, **S3_KEYS,
            },
        },
    }  # fmt: skip
    with override_settings(STORAGES=storages):
        yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def private_root(tmp_path, settings) -> Any:
    """Filesystem attachments under a fresh directory (as under ``make run``)."""
    settings.PRIVATE_FILES_ROOT = tmp_path
    return tmp_path
