"""A web-form submission is an attribution touch: the form's campaign touches the lead or contact
it created or updated, and a campaign named by ``utm_campaign`` touches it as the medium says;
a refused submission touches nothing."""

from __future__ import annotations

import pytest

from modules.contacts.models import Contact
from modules.marketing.attribution.models import SourceCampaign, Touch
from modules.marketing.models import Campaign
from modules.sales.models import Lead
from tests.marketing.forms.conftest import filled, make_form, post_json
from tests.tenancy import TenantFixture

pytestmark = pytest.mark.django_db


def _touches() -> list[tuple[str, str, int | None, int | None]]:
    return sorted(
        (touch.campaign.name, touch.kind, touch.lead_id, touch.contact_id)
        for touch in Touch.objects.select_related("campaign")
    )


def test_the_forms_campaign_and_the_utm_campaign_touch_the_new_lead(alpha: TenantFixture) -> None:
    with alpha.active():
        fair = Campaign.objects.create(name="Spring fair", kind="trade_show")
        Campaign.objects.create(name="Partner Week", kind="advertising")
        form = make_form(campaign=fair)
    values = {"utm_medium": "cpc", "utm_campaign": "partner week"}

    response = post_json(alpha.client(None), form, filled(alpha, form, **values))

    assert response.status_code == 200, response.content
    with alpha.active():
        lead = Lead.objects.get(email="ada@example.test")
        assert _touches() == [("Partner Week", "ad_click", lead.pk, None), ("Spring fair", "form", lead.pk, None)]
        assert SourceCampaign.objects.filter(lead=lead).count() == 1


@pytest.mark.parametrize(
    ("utm", "expected"),
    [
        ({"utm_campaign": "NEWSLETTER"}, [("Newsletter", "form")]),  # the form's own campaign: once
        ({"utm_campaign": "nothing by that name"}, [("Newsletter", "form")]),
        ({}, [("Newsletter", "form")]),
    ],
)
def test_a_contact_form_touches_the_contact_once_per_campaign(
    alpha: TenantFixture, utm: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    with alpha.active():
        newsletter = Campaign.objects.create(name="Newsletter", kind="email")
        form = make_form(creates="contact", key="newsletter", campaign=newsletter)

    assert post_json(alpha.client(None), form, filled(alpha, form, **utm)).status_code == 200

    with alpha.active():
        contact = Contact.objects.get(email="ada@example.test")
        assert [(name, kind) for name, kind, _lead, _contact in _touches()] == expected
        assert set(Touch.objects.values_list("contact_id", flat=True)) == {contact.pk}


def test_an_e_mail_visit_to_a_form_without_campaign_is_an_e_mail_click(alpha: TenantFixture) -> None:
    with alpha.active():
        Campaign.objects.create(name="Autumn news", kind="email")
        form = make_form()

    post_json(alpha.client(None), form, filled(alpha, form, utm_medium="email", utm_campaign="Autumn news"))

    with alpha.active():
        lead = Lead.objects.get(email="ada@example.test")
        assert _touches() == [("Autumn news", "email_click", lead.pk, None)]


def test_a_refused_submission_touches_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form(campaign=Campaign.objects.create(name="Spring fair"))

    response = post_json(alpha.client(None), form, filled(alpha, form, email="not an address"))

    assert response.status_code == 400
    with alpha.active():
        assert not Touch.objects.exists()
        assert not Lead.objects.exists()
