"""Custom fields on the lead, deal and activity forms and record pages."""

from modules.activities.models import Activity
from modules.sales.models import Deal, Lead
from modules.sales.services.pipelines import default_pipeline
from tests.customization.pages.conftest import REGIONS, define
from tests.factories import ActivityFactory, CompanyFactory, DealFactory, LeadFactory
from tests.page_text import text_after
from tests.tenancy import TenantFixture, schema_snapshot


def test_a_lead_is_created_and_edited_with_custom_values(alpha: TenantFixture):
    with alpha.active():
        define("lead", "budget", "money", currency="EUR", label="Budget")
        define("lead", "channels", "multi_select", options=REGIONS, label="Channels")
        define("lead", "website_visits", "number", label="Website visits")
    client = alpha.client()
    form = {"first_name": "Lin", "last_name": "Prospect", "status": "new", "currency": "EUR"}

    response = client.post(
        "/leads/new/",
        {**form, "custom_budget_0": "5000", "custom_budget_1": "EUR", "custom_channels": ["south"],
         "custom_website_visits": "12"},
    )  # fmt: skip

    assert response.status_code == 302
    with alpha.active():
        lead = Lead.objects.get(full_name="Lin Prospect")
    assert lead.custom == {
        "budget": {"amount": "5000.00", "currency": "EUR"},
        "channels": ["south"],
        "website_visits": 12,
    }
    edit = client.get(f"/leads/{lead.pk}/edit/").content.decode()
    assert 'value="south" id="id_custom_channels_1" checked' in edit.replace('class="form-check-input" ', "")
    assert 'value="12"' in edit
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert text_after(page, 'data-testid="custom-budget">', "</dd>") == "5,000.00 EUR"
    assert text_after(page, 'data-testid="custom-channels">', "</dd>") == "South"

    response = client.post(
        f"/leads/{lead.pk}/edit/",
        {**form, "custom_budget_0": "5000.00", "custom_budget_1": "EUR", "custom_website_visits": "13"},
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.custom == {"budget": {"amount": "5000.00", "currency": "EUR"}, "website_visits": 13}


def test_a_lead_with_a_bad_custom_value_is_refused_on_that_field(alpha: TenantFixture):
    with alpha.active():
        define("lead", "homepage", "url", label="Homepage")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(
        "/leads/new/",
        {"first_name": "Lin", "status": "new", "currency": "EUR", "custom_homepage": "ftp://nope"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-custom_homepage">Enter a valid URL starting with http:// or https://.' in html
    assert schema_snapshot(alpha.tenant) == before


def test_a_deal_is_created_and_edited_with_custom_values(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("deal", "signed_on", "date", label="Signed on")
        define("deal", "strategic", "boolean", label="Strategic")
        define("deal", "partner", "reference", reference_entity="company", label="Partner")
        partner = CompanyFactory(name="Partner Co", owner=admin)
        stage = default_pipeline().stages.order_by("position").first()
    client = alpha.client()
    form = {"name": "Big one", "pipeline": stage.pipeline_id, "stage": stage.pk, "amount": "10", "currency": "EUR"}

    response = client.post(
        "/deals/new/",
        {**form, "custom_signed_on": "2026-02-03", "custom_strategic": "on", "custom_partner": str(partner.pk)},
    )

    assert response.status_code == 302
    with alpha.active():
        deal = Deal.objects.get(name="Big one")
    assert deal.custom == {"signed_on": "2026-02-03", "strategic": True, "partner": partner.pk}
    edit = client.get(f"/deals/{deal.pk}/edit/").content.decode()
    assert 'value="2026-02-03"' in edit
    assert f'<option value="{partner.pk}" selected>Partner Co</option>' in edit
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert f'<a href="/companies/{partner.pk}/">Partner Co</a>' in page
    assert text_after(page, 'data-testid="custom-strategic">', "</dd>") == "Yes"

    response = client.post(
        f"/deals/{deal.pk}/edit/", {"name": "Big one", "amount": "10", "currency": "EUR", "custom_signed_on": ""}
    )

    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.custom == {"strategic": False}


def test_a_required_deal_field_is_named_when_missing(alpha: TenantFixture):
    with alpha.active():
        define("deal", "segment", "single_select", options=REGIONS, required=True, label="Segment")
        deal = DealFactory(name="Old", custom={"segment": "north"})

    response = alpha.client().post(
        f"/deals/{deal.pk}/edit/", {"name": "Renamed", "amount": "10", "currency": "EUR", "custom_segment": ""}
    )

    assert response.status_code == 400
    assert 'data-testid="error-custom_segment">This field is required.' in response.content.decode()
    deal.refresh_from_db()
    assert (deal.name, deal.custom) == ("Old", {"segment": "north"})


def test_an_activity_is_planned_with_custom_values_in_the_users_time_zone(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        admin.time_zone = "Europe/Bucharest"
        admin.save(update_fields=["time_zone"])
        define("activity", "follow_up_by", "datetime", label="Follow up by")
        define("activity", "reviewer", "user", label="Reviewer")
        define("activity", "note", "long_text", label="Note")
    client = alpha.client()

    response = client.post(
        "/activities/new/",
        {"kind": "task", "subject": "Call back", "priority": "normal", "assignee": admin.pk,
         "custom_follow_up_by": "2030-03-04T10:00", "custom_reviewer": str(admin.pk), "custom_note": "Bring slides"},
    )  # fmt: skip

    assert response.status_code == 302
    with alpha.active():
        activity = Activity.objects.get(subject="Call back")
    assert activity.custom == {"follow_up_by": "2030-03-04T08:00:00Z", "reviewer": admin.pk, "note": "Bring slides"}
    edit = client.get(f"/activities/{activity.pk}/edit/").content.decode()
    assert 'name="custom_follow_up_by" value="2030-03-04T10:00"' in edit
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert text_after(page, 'data-testid="custom-follow_up_by">', "</dd>") == "4 Mar 2030, 10:00"
    assert text_after(page, 'data-testid="custom-reviewer">', "</dd>") == f"{admin}"


def test_an_activity_user_field_refuses_an_inactive_user(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("activity", "reviewer", "user", label="Reviewer")
        activity = ActivityFactory(subject="Review", assignee=admin)

    response = alpha.client().post(
        f"/activities/{activity.pk}/edit/",
        {"kind": "task", "subject": "Review", "priority": "normal", "assignee": admin.pk, "custom_reviewer": "999999"},
    )

    assert response.status_code == 400
    assert 'data-testid="error-custom_reviewer">' in response.content.decode()
    activity.refresh_from_db()
    assert activity.custom == {}


def test_a_lead_page_without_definitions_shows_no_custom_card(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory()

    html = alpha.client().get(f"/leads/{lead.pk}/").content.decode()

    assert 'data-testid="custom-details"' not in html
