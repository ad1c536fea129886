"""The contact centre's fixtures: a fake Twilio the tests start, and a workspace set up to use it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from modules.service.contact_centre.models import AgentPhone, TelephonySettings
from tests.service.contact_centre.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, running_fake_twilio
from tests.tenancy import TenantFixture

WORKSPACE_NUMBER = "+4930123456789"
AGENT_NUMBER = "+4917612345678"


@pytest.fixture
def fake_twilio(settings: Any) -> Iterator[FakeTwilio]:
    with running_fake_twilio() as fake:
        settings.TWILIO_API_BASE = fake.url
        yield fake


def configure(tenant: TenantFixture, *, sms_events: list[str] | None = None, token: str = AUTH_TOKEN) -> None:
    """The tenant's Twilio account, its number, and a phone for its admin."""
    with tenant.active():
        row = TelephonySettings(account_sid=ACCOUNT_SID, numbers=[WORKSPACE_NUMBER], sms_events=sms_events or [])
        row.set_auth_token(token)
        row.save()
        AgentPhone.objects.create(user=tenant.user(), number=AGENT_NUMBER)


@pytest.fixture
def telephony(alpha: TenantFixture, fake_twilio: FakeTwilio) -> FakeTwilio:
    configure(alpha)
    return fake_twilio
