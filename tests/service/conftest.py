"""Service test helpers: cases made through the service, for a contact of a company."""

from __future__ import annotations

from typing import Any

from modules.service.models import Case
from modules.service.services.cases import create_case
from tests.factories import CompanyFactory, ContactFactory
from tests.sales.catalog.conftest import make_user  # noqa: F401 - a fixture of these tests too
from tests.tenancy import TenantFixture


def make_case(alpha: TenantFixture, *, owner_email: str | None = None, **values: Any) -> Case:
    """A case of a new contact (of a new company) in tenant ``alpha``, entered by its admin."""
    with alpha.active():
        by = alpha.user(owner_email) if owner_email else alpha.user()
        if "contact" not in values:
            values["contact"] = ContactFactory(company=CompanyFactory())
        values.setdefault("subject", "The printer does not print")
        return create_case(by=by, **values)
