"""The agents' case pages: list, detail, create, edit, quick changes and delete; permissions,
the plan gate, tenant isolation, bad input and query counts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from identity.models import Team
from modules.contacts.models import TimelineEntry
from modules.service.choices import StatusCategory
from modules.service.models import Case, CaseStatus
from tenants.models import Tenant
from tests.factories import CompanyFactory, ContactFactory
from tests.sales.catalog.conftest import MakeUser
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def queries(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return len(captured.captured_queries), response.content.decode()


def status_of(alpha: TenantFixture, category: str) -> CaseStatus:
    with alpha.active():
        return CaseStatus.objects.filter(category=category).order_by("position").first()


def test_an_agent_creates_a_case_and_finds_it_in_the_list_and_on_its_page(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(company=CompanyFactory(name="Orchard Farm"), first_name="Olga", last_name="Orchard")
        queue = Team.objects.create(name="Support queue")
    client = alpha.client()

    form = client.get(f"/cases/new/?contact={contact.pk}")
    created = client.post("/cases/new/", {
        "subject": "Tractor will not start", "description": "Since Monday.", "contact": contact.pk,
        "channel": "phone", "priority": "high", "team": queue.pk, "owner": alpha.user().pk,
    })  # fmt: skip
    with alpha.active():
        case = Case.objects.get()
    listed = client.get("/cases/").content.decode()
    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert form.status_code == 200
    assert created.status_code == 302
    assert created["Location"] == f"/cases/{case.pk}/"
    assert (case.subject, case.priority, case.channel, case.team_id) == ("Tractor will not start", "high", "phone",
                                                                         queue.pk)  # fmt: skip
    assert case.company.name == "Orchard Farm"  # the contact's company
    assert case.status.category == StatusCategory.NEW
    assert case.number in listed
    assert "Tractor will not start" in listed
    assert 'data-testid="case-header"' in page
    assert "Olga Orchard" in page
    assert "Orchard Farm" in page
    assert "Since Monday." in page
    assert 'data-testid="composer"' in page


def test_the_list_filters_searches_and_offers_the_agents_views(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        queue = Team.objects.create(name="Billing queue")
        admin.teams.add(queue)
    mine = make_case(alpha, subject="Invoice twice", owner=admin, priority="urgent")
    waiting = make_case(alpha, subject="Refund missing", team=queue)
    solved = make_case(alpha, subject="Password reset", status=status_of(alpha, StatusCategory.SOLVED))
    client = alpha.client()

    def listed(query: str) -> set[str]:
        response = client.get(f"/cases/?{query}")
        assert response.status_code == 200
        return {case.number for case in response.context["rows"]}

    assert listed("agent=me&status_category=active") == {mine.number}
    assert listed("unassigned=mine&status_category=active") == {waiting.number}
    assert listed("status_category=active") == {mine.number, waiting.number}
    assert listed("status_category=solved") == {solved.number}
    assert listed("priority=urgent") == {mine.number}
    assert listed(f"queue={queue.pk}") == {waiting.number}
    assert listed("q=refund") == {waiting.number}
    assert listed(f"q={solved.number}") == {solved.number}
    assert listed(f"status={solved.status_id}") == {solved.number}
    assert listed("agent=none") == {waiting.number, solved.number}
    assert listed("queue=99999999999999999999&agent=nonsense") == {mine.number, waiting.number, solved.number}
    page = client.get("/cases/?agent=me&status_category=active").content.decode()
    assert 'aria-current="page" data-preset="my"' in page
    assert "Unassigned in my queues" in page
    assert "All open" in page


def test_a_saved_view_of_cases_keeps_its_filters(alpha: TenantFixture):
    make_case(alpha, subject="Urgent one", priority="urgent")
    client = alpha.client()

    saved = client.post("/cases/views/", {"name": "Urgent", "priority": "urgent"})
    with alpha.active():
        from modules.contacts.models import SavedView

        view = SavedView.objects.get(entity="case")
    picked = client.get(f"/cases/?view={view.pk}")

    assert saved.status_code == 302
    assert view.query == {"priority": "urgent"}
    assert "priority=urgent" in picked["Location"]


def test_edit_and_quick_changes_write_through_the_service(alpha: TenantFixture):
    case = make_case(alpha)
    with alpha.active():
        queue = Team.objects.create(name="Tier 2")
        open_status = CaseStatus.objects.get(key="open")
        solved = CaseStatus.objects.get(key="solved")
    client = alpha.client()

    edit_page = client.get(f"/cases/{case.pk}/edit/")
    edited = client.post(f"/cases/{case.pk}/edit/", {
        "subject": "The printer prints blank pages", "channel": "email", "priority": "normal",
        "status": open_status.pk, "contact": case.contact_id,
    })  # fmt: skip
    priority = client.post(f"/cases/{case.pk}/change/", {"priority": "urgent"})
    team = client.post(f"/cases/{case.pk}/change/", {"team": queue.pk})
    owner = client.post(f"/cases/{case.pk}/change/", {"owner": alpha.user().pk})
    unassigned = client.post(f"/cases/{case.pk}/change/", {"owner": ""})
    solve = client.post(f"/cases/{case.pk}/change/", {"status": solved.pk})

    assert edit_page.status_code == 200
    assert [r.status_code for r in (edited, priority, team, owner, unassigned, solve)] == [302] * 6
    with alpha.active():
        case.refresh_from_db()
        assert case.subject == "The printer prints blank pages"
        assert (case.priority, case.team_id, case.owner_id, case.status_id) == ("urgent", queue.pk, None, solved.pk)
        assert case.solved_at is not None
        assert TimelineEntry.objects.filter(kind="case", contact_id=case.contact_id).count() >= 6


def test_quick_changes_refuse_bad_input_naming_the_field_and_write_nothing(alpha: TenantFixture):
    case = make_case(alpha)
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    bad_priority = client.post(f"/cases/{case.pk}/change/", {"priority": "whenever"})
    no_status = client.post(f"/cases/{case.pk}/change/", {"status": ""})
    two_at_once = client.post(f"/cases/{case.pk}/change/", {"priority": "low", "owner": ""})
    huge_id = client.post(f"/cases/{case.pk}/change/", {"team": "99999999999999999999"})

    assert [r.status_code for r in (bad_priority, no_status, two_at_once, huge_id)] == [400] * 4
    assert "Priority:" in bad_priority.content.decode()
    assert "Status:" in no_status.content.decode()
    assert "Queue:" in huge_id.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_bad_case_input_is_a_400_naming_the_field_and_writes_nothing(alpha: TenantFixture):
    from customization.fields.services import create_definition

    with alpha.active():
        contact = ContactFactory()
        create_definition(entity="case", key="promised_on", label="Promised on", field_type="date", by=None)
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)
    valid = {"subject": "Fine", "contact": contact.pk, "channel": "agent", "priority": "normal"}

    nul = client.post("/cases/new/", {**valid, "subject": "a\x00b"})
    long = client.post("/cases/new/", {**valid, "subject": "x" * 301})
    empty = client.post("/cases/new/", {**valid, "subject": ""})
    channel = client.post("/cases/new/", {**valid, "channel": "pigeon"})
    end_of_time = client.post("/cases/new/", {**valid, "custom_promised_on": "9999-01-01"})

    assert [r.status_code for r in (nul, long, empty, channel, end_of_time)] == [400] * 5
    assert "subject" in nul.context["form"].errors
    assert "subject" in long.context["form"].errors
    assert "subject" in empty.context["form"].errors
    assert "channel" in channel.context["form"].errors
    assert "custom_promised_on" in end_of_time.context["form"].errors
    assert schema_snapshot(alpha.tenant) == before


def test_deleting_a_case_removes_it(alpha: TenantFixture):
    case = make_case(alpha)
    client = alpha.client()

    deleted = client.post(f"/cases/{case.pk}/delete/")

    assert deleted.status_code == 302
    assert deleted["Location"] == "/cases/"
    with alpha.active():
        assert not Case.objects.filter(pk=case.pk).exists()
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_a_role_without_service_view_is_refused_every_page(alpha: TenantFixture, make_user: MakeUser):
    case = make_case(alpha)
    make_user("sales_rep", "seller@example.test")
    seller = alpha.client("seller@example.test")
    before = schema_snapshot(alpha.tenant)

    for path in ("/cases/", f"/cases/{case.pk}/", "/cases/new/", f"/cases/{case.pk}/edit/"):
        assert seller.get(path).status_code == 403, path
    assert seller.post(f"/cases/{case.pk}/change/", {"priority": "low"}).status_code == 403
    assert seller.post(f"/cases/{case.pk}/messages/", {"kind": "reply", "body": "Hi"}).status_code == 403
    assert seller.post(f"/cases/{case.pk}/delete/").status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_a_role_without_service_change_reads_but_writes_nothing(alpha: TenantFixture, make_user: MakeUser):
    case = make_case(alpha)
    make_user("read_only", "reader@example.test")
    reader = alpha.client("reader@example.test")
    before = schema_snapshot(alpha.tenant)

    listed = reader.get("/cases/")
    page = reader.get(f"/cases/{case.pk}/")
    refused = [
        reader.get("/cases/new/"),
        reader.post("/cases/new/", {"subject": "Sneaky", "channel": "agent", "priority": "normal"}),
        reader.post(f"/cases/{case.pk}/edit/", {"subject": "Sneaky", "channel": "agent", "priority": "normal"}),
        reader.post(f"/cases/{case.pk}/change/", {"priority": "low"}),
        reader.post(f"/cases/{case.pk}/messages/", {"kind": "note", "body": "Sneaky"}),
        reader.post(f"/cases/{case.pk}/delete/"),
        reader.post("/cases/bulk/", {"action": "case_priority", "ids": [case.pk], "case_priority": "low"}),
    ]

    assert (listed.status_code, page.status_code) == (200, 200)
    assert 'data-testid="composer"' not in page.content.decode()
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert schema_snapshot(alpha.tenant) == before


def test_without_the_service_module_the_pages_say_not_in_plan(alpha: TenantFixture):
    case = make_case(alpha)
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=["sales"])
    client = alpha.client()

    for path in ("/cases/", f"/cases/{case.pk}/", "/cases/new/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "not in your plan" in response.content.decode(), path
    nav = client.get("/").content.decode()
    assert 'href="/cases/"' not in nav


def test_case_pages_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    case = make_case(alpha)
    assert_cross_tenant_requests_fail(alpha, beta, [
        ("get", f"/cases/{case.pk}/", {}),
        ("get", f"/cases/{case.pk}/edit/", {}),
        ("post", f"/cases/{case.pk}/edit/", {"subject": "x", "channel": "agent", "priority": "normal"}),
        ("post", f"/cases/{case.pk}/change/", {"priority": "low"}),
        ("post", f"/cases/{case.pk}/messages/", {"kind": "reply", "body": "x"}),
        ("post", f"/cases/{case.pk}/delete/", {}),
        ("get", f"/customers/contact/{case.contact_id}/cases/", {}),
        ("get", f"/customers/company/{case.company_id}/cases/", {}),
    ])  # fmt: skip


def test_the_list_costs_the_same_queries_for_5_and_50_cases(alpha: TenantFixture):
    with alpha.active():
        queue = Team.objects.create(name="Counting queue")
    for number in range(5):
        make_case(alpha, team=queue, owner=alpha.user(), subject=f"Case {number}")
    client = alpha.client()
    few, _page = queries(client, "/cases/")
    for number in range(45):
        make_case(alpha, team=queue, owner=alpha.user(), subject=f"More {number}")
    many, page = queries(client, "/cases/")

    assert page.count('href="/cases/') >= 50
    assert many == few
