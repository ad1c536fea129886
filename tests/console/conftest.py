"""Console fixtures: an operator (staff user of the public schema) and a client signed in on the
public host."""

from __future__ import annotations

import base64
import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from identity.models import User
from identity.services.operators import ensure_operator

OPERATOR_EMAIL = "ops@relata.test"
OPERATOR_PASSWORD = "lantern-quarry-mosaic-42"
PUBLIC_HOST = "localhost"


@pytest.fixture
def operator(db: None) -> User:
    return ensure_operator(OPERATOR_EMAIL, OPERATOR_PASSWORD)


def verified_operator_client(operator: User, host: str = PUBLIC_HOST) -> Client:
    """A client on ``host`` signed in as operator staff with a confirmed authenticator, its session
    verified as django_otp.login leaves it after a good code."""
    client = Client(HTTP_HOST=host)
    with schema_context("public"):
        client.force_login(operator, backend="identity.backends.EmailBackend")
        device = TOTPDevice.objects.get_or_create(user=operator, name="Console authenticator", confirmed=True)[0]
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def operator_client(operator: User) -> Client:
    """A client on the public host signed in as operator staff."""
    return verified_operator_client(operator)


def code_for(secret: str) -> str:
    """The current TOTP code for a key shown as the enrolment page shows it (base32 in groups)."""
    compact = secret.replace(" ", "")
    return f"{totp(base64.b32decode(compact + '=' * (-len(compact) % 8))):06d}"


def enrol_with_first_code(client: Client) -> HttpResponse:
    """After a good password: the enrolment page's key, turned into a code and sent back."""
    page = client.get("/console/login/verify/").content.decode()
    match = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page)
    assert match is not None, "the enrolment page shows the key"
    return client.post("/console/login/verify/", {"code": code_for(match.group(1))})
