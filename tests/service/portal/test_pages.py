"""The portal's pages: a customer opens a case with files, replies, reads only public messages,
answers a quote through its link service, follows orders; a company admin sees the company's;
bad input names the field; a tenant without service has no portal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from modules.sales.choices import QuoteStatus
from modules.sales.services.orders import create_order
from modules.sales.services.quote_sharing import share_quote
from modules.sales.services.quotes import add_line, create_quote
from modules.service.choices import CaseChannel, MessageAuthor, MessageKind
from modules.service.models import Case
from modules.service.services.cases import add_message
from modules.workspace.services import update_workspace, workspace_profile
from tests.entitlements.helpers import without_modules
from tests.factories import DealFactory
from tests.service.conftest import make_case
from tests.service.portal.helpers import make_portal_user, portal_client
from tests.tenancy import TenantFixture, schema_snapshot


def test_a_customer_opens_a_case_with_a_file_and_replies(alpha: TenantFixture, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    customer = make_portal_user(alpha)
    client = portal_client(alpha, customer)

    opened = client.post(
        "/portal/cases/new/",
        {"subject": "Broken hinge", "description": "The door hinge broke.",
         "attachments": [SimpleUploadedFile("photo.txt", b"a photo")]},
    )  # fmt: skip
    with alpha.active():
        case = Case.objects.get(subject="Broken hinge")
        file = case.messages.get().attachments.get()
    replied = client.post(f"/portal/cases/{case.pk}/reply/", {"body": "Any news?"})
    download = client.get(f"/portal/cases/{case.pk}/files/{file.pk}/")

    assert opened.status_code == 302
    assert opened["Location"] == f"/portal/cases/{case.pk}/"
    assert replied.status_code == 302
    assert b"".join(download.streaming_content) == b"a photo"
    with alpha.active():
        assert case.channel == CaseChannel.PORTAL
        assert case.contact_id == customer.contact_id
        messages = list(case.messages.order_by("id"))
        assert [(m.author_kind, m.channel, m.body_text) for m in messages] == [
            (MessageAuthor.CUSTOMER, CaseChannel.PORTAL, "The door hinge broke."),
            (MessageAuthor.CUSTOMER, CaseChannel.PORTAL, "Any news?"),
        ]


def test_the_case_page_shows_public_replies_never_internal_notes(alpha: TenantFixture):
    customer = make_portal_user(alpha)
    with alpha.active():
        case = make_case(alpha, contact=customer.contact)
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="We are on it.")
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, kind=MessageKind.NOTE,
                    body_text="Customer is grumpy.")  # fmt: skip

    page = portal_client(alpha, customer).get(f"/portal/cases/{case.pk}/")

    assert page.status_code == 200
    assert b"We are on it." in page.content
    assert b"grumpy" not in page.content


def test_a_company_admin_sees_the_companys_cases_a_colleague_only_their_own(alpha: TenantFixture):
    admin = make_portal_user(alpha, company_admin=True)
    with alpha.active():
        company = admin.contact.company
    colleague = make_portal_user(alpha, company=company)
    with alpha.active():
        theirs = make_case(alpha, contact=colleague.contact, subject="Colleague's case")
        mine = make_case(alpha, contact=admin.contact, subject="Admin's case")

    admin_list = portal_client(alpha, admin).get("/portal/cases/")
    colleague_client = portal_client(alpha, colleague)

    assert b"Colleague&#x27;s case" in admin_list.content
    assert b"Admin&#x27;s case" in admin_list.content
    assert colleague_client.get(f"/portal/cases/{mine.pk}/").status_code == 404
    assert colleague_client.get(f"/portal/cases/{theirs.pk}/").status_code == 200


def test_a_customer_accepts_a_shared_quote_and_sees_the_order(alpha: TenantFixture):
    customer = make_portal_user(alpha)
    with alpha.active():
        quote = create_quote(by=None, deal=DealFactory(contact=customer.contact, company=customer.contact.company))
        add_line(quote, by=None, description="Hinges", unit_price=Decimal("12.00"))
        share_quote(quote, by=alpha.user())
    client = portal_client(alpha, customer)

    unnamed = client.post(f"/portal/quotes/{quote.pk}/answer/", {"answer": "accept", "name": ""})
    accepted = client.post(f"/portal/quotes/{quote.pk}/answer/", {"answer": "accept", "name": "Ana Pop"})
    orders = client.get("/portal/orders/")

    assert unnamed.status_code == 400
    assert b"name" in unnamed.content
    assert accepted.status_code == 302
    with alpha.active():
        quote.refresh_from_db()
        assert quote.status == QuoteStatus.ACCEPTED
        order = quote.order
    assert orders.status_code == 200
    assert order.number.encode() in orders.content


def test_a_customer_follows_an_order_and_opens_a_case_about_it(alpha: TenantFixture, django_assert_max_num_queries):
    customer = make_portal_user(alpha)
    with alpha.active():
        order = create_order(
            by=None, contact=customer.contact, company=customer.contact.company,
            lines=[{"description": f"Hinge {n}", "unit_price": "12.50", "quantity": "2"} for n in range(3)],
        )  # fmt: skip
    client = portal_client(alpha, customer)

    listed = client.get("/portal/orders/")
    with django_assert_max_num_queries(12):
        page = client.get(f"/portal/orders/{order.pk}/")
    form = client.get(f"/portal/cases/new/?order={order.pk}")
    opened = client.post(f"/portal/cases/new/?order={order.pk}", {"subject": "One hinge broke", "description": "!"})
    after = client.get(f"/portal/orders/{order.pk}/")

    assert f'href="/portal/orders/{order.pk}/"'.encode() in listed.content
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Hinge ") == 3
    assert "75.00" in html  # 3 lines × 2 × 12.50
    assert order.number in form.content.decode()
    assert opened.status_code == 302
    with alpha.active():
        case = Case.objects.get(subject="One hinge broke")
        assert case.order_id == order.pk
        assert case.contact_id == customer.contact_id
    assert case.number in after.content.decode()
    assert client.get("/portal/cases/new/?order=abc").status_code == 404


def test_bad_input_is_refused_naming_the_field_and_writes_nothing(alpha: TenantFixture, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    client = portal_client(alpha, make_portal_user(alpha))
    before = schema_snapshot(alpha.tenant)

    nul = client.post("/portal/cases/new/", {"subject": "Hi\x00", "description": "x"})
    huge = client.post("/portal/cases/new/", {"subject": "x" * 5000, "description": "x"})
    broken = client.post(
        "/portal/cases/new/",
        {"subject": "A", "description": "B", "attachments": [SimpleUploadedFile("scan.pdf", b"not a pdf")]},
    )
    empty = client.post("/portal/cases/new/", {"subject": "", "description": ""})

    for response, field in ((nul, "subject"), (huge, "subject"), (broken, "attachments"), (empty, "description")):
        assert response.status_code == 400
        assert f'id="id_{field}-errors"'.encode() in response.content, field
    after = schema_snapshot(alpha.tenant)
    after.pop("service_portal_portalsession"), before.pop("service_portal_portalsession")
    assert after == before


def test_a_tenant_without_service_has_no_portal(alpha: TenantFixture):
    customer = make_portal_user(alpha)
    client = portal_client(alpha, customer)
    without_modules(alpha, "service")

    for path in ("/portal/", "/portal/sign-in/", "/portal/cases/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"not available" in response.content
    assert client.post("/portal/cases/new/", {"subject": "A", "description": "B"}).status_code == 404
    with alpha.active():
        assert not Case.objects.exists()


def test_the_case_list_costs_the_same_for_few_and_many_cases(alpha: TenantFixture, django_assert_max_num_queries):
    customer = make_portal_user(alpha)
    client = portal_client(alpha, customer)
    with alpha.active():
        for n in range(3):
            make_case(alpha, contact=customer.contact, subject=f"Case {n}")
    with django_assert_max_num_queries(12) as few:
        client.get("/portal/cases/")
    with alpha.active():
        for n in range(20):
            make_case(alpha, contact=customer.contact, subject=f"More {n}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/portal/cases/")

    assert response.content.count(b'data-testid="portal-case"') == 23


def test_the_portal_wears_the_workspaces_brand_colour(alpha: TenantFixture):
    client = portal_client(alpha, make_portal_user(alpha))
    admin = alpha.client()
    settings_page = admin.get("/settings/workspace/")
    with alpha.active():
        update_workspace(by=alpha.user(), brand_color="#aa3300")

    page = client.get("/portal/")
    with alpha.active(), pytest.raises(ValidationError) as refused:
        update_workspace(by=alpha.user(), brand_color="red; x")

    assert b'name="brand_color"' in settings_page.content
    assert b"border-top: 4px solid #aa3300" in page.content
    assert list(refused.value.message_dict) == ["brand_color"]
    with alpha.active():
        assert workspace_profile().brand_color == "#aa3300"


def test_a_case_opened_in_the_portal_is_in_the_visitors_language(alpha: TenantFixture):
    customer = make_portal_user(alpha)
    client = portal_client(alpha, customer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    client.post("/portal/cases/new/", {"subject": "Charnière cassée", "description": "La charnière a cassé."})

    with alpha.active():
        assert Case.objects.get(subject="Charnière cassée").language == "fr"


def test_a_signed_in_customers_pages_and_writes_are_rate_limited(alpha: TenantFixture, monkeypatch):
    from django.core.cache import cache

    from modules.service.portal.views import base

    cache.clear()
    monkeypatch.setattr(base, "WRITES_PER_USER", 3)
    monkeypatch.setattr(base, "PAGES_PER_USER", 5)
    customer, other = make_portal_user(alpha), make_portal_user(alpha, email="other@customer.example")
    case = make_case(alpha, contact=customer.contact, subject="Hinge")
    client = portal_client(alpha, customer)

    replies = [client.post(f"/portal/cases/{case.pk}/reply/", {"body": f"Any news? {n}"}).status_code
               for n in range(4)]  # fmt: skip
    pages = [client.get("/portal/cases/").status_code for _n in range(6)]
    others = portal_client(alpha, other).get("/portal/cases/")

    assert replies == [302, 302, 302, 429]
    assert pages == [200] * 5 + [429]
    assert others.status_code == 200  # counted per customer
    with alpha.active():
        assert case.messages.filter(author_kind=MessageAuthor.CUSTOMER).count() == 3
