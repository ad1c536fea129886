"""Campaign test helpers: campaigns made through the service in tenant alpha."""

from __future__ import annotations

from typing import Any

from modules.marketing.models import Campaign
from modules.marketing.services.campaigns import create_campaign
from tests.sales.catalog.conftest import make_user  # noqa: F401 - a fixture of these tests too
from tests.tenancy import TenantFixture


def make_campaign(alpha: TenantFixture, **values: Any) -> Campaign:
    """A campaign owned by alpha's admin (visible to every role that sees all records)."""
    with alpha.active():
        by = alpha.user()
        values.setdefault("name", "Spring launch")
        values.setdefault("owner", by)
        return create_campaign(by=by, **values)
