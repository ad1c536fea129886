"""The case page's call panel shows the contact's numbers only to a user who may open the contact."""

from __future__ import annotations

from django.test import RequestFactory

from identity.models import User
from modules.service.panels import panels_for
from tests.factories import ContactFactory
from tests.service.conftest import make_case
from tests.tenancy import REP_EMAIL, TenantFixture, grant


def _call_panel(alpha: TenantFixture, email: str, case: object) -> object:
    request = RequestFactory().get("/", HTTP_HOST=alpha.host)
    request.user = User.objects.get(email=email)
    request.tenant = alpha.tenant
    return next((found for found in panels_for(request, case, "sidebar") if found[0].key == "call"), None)


def test_the_call_panel_hides_a_contact_the_user_may_not_open(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "service.view")
    with alpha.active():
        admin, rep = alpha.user(), User.objects.get(email=REP_EMAIL)
        contact = ContactFactory(phone="+40 21 555 0100", owner=admin)  # the rep's role sees own records only
    case = make_case(alpha, contact=contact, owner=rep)
    with alpha.active():
        assert _call_panel(alpha, admin.email, case) is not None
        assert _call_panel(alpha, REP_EMAIL, case) is None
