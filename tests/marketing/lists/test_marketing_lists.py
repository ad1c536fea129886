"""Segments, marketing e-mails, form submissions and a send's recipients on the list framework:
filters, saved views, bulk actions, query counts constant in the list's size, permissions, the plan
gate and tenant isolation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from modules.contacts.models import SavedView
from modules.lists.keys import register_list_key, registered_list_keys
from modules.marketing.choices import EmailStatus, SegmentKind
from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services.sends import start_send
from modules.marketing.models import MarketingEmail, Segment
from modules.marketing.webforms.models import WebForm
from modules.marketing.webforms.services.submissions import Visit, submit
from tests.entitlements.helpers import without_modules
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.marketing.forms.conftest import make_form
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant

SEGMENTS = "/marketing/segments/"
EMAILS = "/marketing/emails/"
FORMS = "/marketing/forms/"
SENDS = "/marketing/delivery/emails/"


def _queries(client: Client, path: str) -> tuple[int, str]:
    client.get(path)  # the session and caches are warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return len(captured), response.content.decode()


def _segments(alpha: TenantFixture, count: int, start: int = 0) -> None:
    with alpha.active():
        Segment.objects.bulk_create(
            Segment(name=f"Segment {number}", kind=SegmentKind.STATIC, owner=alpha.user())
            for number in range(start, start + count)
        )


def _emails(alpha: TenantFixture, count: int, start: int = 0) -> None:
    with alpha.active():
        segment = Segment.objects.create(name=f"Audience {start}", kind=SegmentKind.STATIC)
        for number in range(start, start + count):
            marketing_email(segment, name=f"E-mail {number}")


def _submissions(alpha: TenantFixture, form: WebForm, count: int, start: int = 0) -> None:
    with alpha.active():
        for number in range(start, start + count):
            submit(form, {"last_name": f"Visitor {number}", "email": f"v{number}@example.test"},
                   visit=Visit(utm={"utm_source": "news"}))  # fmt: skip


def _rows(page: str) -> int:
    return page.count('class="list-name')


def test_list_keys_are_registered_once() -> None:
    keys = registered_list_keys()
    assert {"segment", "marketing_email", "form_submission", "email_recipient", "survey", "campaign"} <= keys
    with pytest.raises(ImproperlyConfigured):
        register_list_key("segment")
    with pytest.raises(ImproperlyConfigured):
        register_list_key("x" * 21)


def test_the_segment_list_filters_saves_a_view_and_deletes_in_bulk(alpha: TenantFixture) -> None:
    with alpha.active():
        static = Segment.objects.create(name="Newsletter list", kind=SegmentKind.STATIC)
        Segment.objects.create(name="Farmers", kind=SegmentKind.DYNAMIC, rules={})
    client = alpha.client()

    page = client.get(f"{SEGMENTS}?kind=static").content.decode()
    saved = client.post(f"{SEGMENTS}views/", {"name": "Lists", "query": "kind=static"})
    deleted = client.post(f"{SEGMENTS}bulk/", {"action": "delete", "ids": [static.pk], "next": SEGMENTS})

    assert "Newsletter list" in page
    assert "Farmers" not in page
    assert saved.status_code == 302
    assert "kind=static" in saved["Location"]
    with alpha.active():
        view = SavedView.objects.get(name="Lists")
        assert view.entity == "segment"
        assert view.query == {"kind": "static"}
        assert not Segment.objects.filter(pk=static.pk).exists()
    assert deleted.status_code == 302
    picked = client.get(f"{SEGMENTS}?view={view.pk}")
    assert picked.status_code == 302
    assert "kind=static" in picked["Location"]


def test_the_segment_list_costs_the_same_queries_for_5_and_50(alpha: TenantFixture) -> None:
    _segments(alpha, 5)
    client = alpha.client()
    few, page = _queries(client, SEGMENTS)
    assert _rows(page) == 5
    _segments(alpha, 45, start=5)
    many, page = _queries(client, SEGMENTS)
    assert _rows(page) == 50
    assert many == few


def test_the_e_mail_list_filters_by_status_and_deletes_only_drafts(alpha: TenantFixture) -> None:
    with alpha.active():
        draft = marketing_email(None, name="Draft news")
        sent = marketing_email(None, name="Old news", status=EmailStatus.SENT)
    client = alpha.client()

    page = client.get(f"{EMAILS}?status=sent").content.decode()
    refused = client.post(f"{EMAILS}bulk/", {"action": "delete", "ids": [draft.pk, sent.pk], "next": EMAILS})
    with alpha.active():
        assert MarketingEmail.objects.count() == 2  # all or nothing: the sent one refused
    client.post(f"{EMAILS}bulk/", {"action": "delete", "ids": [draft.pk], "next": EMAILS})

    assert "Old news" in page
    assert "Draft news" not in page
    assert refused.status_code == 302
    with alpha.active():
        assert list(MarketingEmail.objects.values_list("name", flat=True)) == ["Old news"]


def test_the_e_mail_list_costs_the_same_queries_for_5_and_50(alpha: TenantFixture) -> None:
    _emails(alpha, 5)
    client = alpha.client()
    few, page = _queries(client, EMAILS)
    assert _rows(page) == 5
    _emails(alpha, 45, start=5)
    many, page = _queries(client, EMAILS)
    assert _rows(page) == 50
    assert many == few


def test_submissions_of_a_form_and_of_all_forms_cost_the_same_queries_for_5_and_50(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        other = make_form(name="Newsletter", key="newsletter")
    _submissions(alpha, other, 1)
    _submissions(alpha, form, 5, start=1)
    client = alpha.client()
    per_form = f"{FORMS}{form.pk}/submissions/"
    few, page = _queries(client, per_form)
    few_all, page_all = _queries(client, f"{FORMS}submissions/?form={form.pk}")
    assert _rows(page) == 5
    assert _rows(page_all) == 5
    _submissions(alpha, form, 45, start=6)
    many, page = _queries(client, per_form)
    many_all, page_all = _queries(client, f"{FORMS}submissions/?form={form.pk}")
    assert _rows(page) == 50
    assert _rows(page_all) == 50
    assert (many, many_all) == (few, few_all)
    other_only = client.get(f"{FORMS}submissions/?form={other.pk}").content.decode()
    assert _rows(other_only) == 1
    assert "v0@example.test" in other_only


def test_a_saved_view_of_one_forms_submissions_stays_on_that_form(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    _submissions(alpha, form, 2)
    client = alpha.client()
    path = f"{FORMS}{form.pk}/submissions/"

    saved = client.post(f"{path}views/", {"name": "Accepted", "query": "status=accepted"})
    with alpha.active():
        view = SavedView.objects.get(name="Accepted")
    picked = client.get(f"{path}?view={view.pk}")
    deleted = client.post(f"{path}views/{view.pk}/delete/")

    assert saved.status_code == 302
    assert saved["Location"].startswith(path)
    assert picked["Location"].startswith(f"{path}?status=accepted")
    assert deleted.status_code == 302
    with alpha.active():
        assert view.entity == "form_submission"
        assert not SavedView.objects.filter(pk=view.pk).exists()
    assert client.get(f"{path}?since=2024-99-99").status_code == 400
    assert b"since" in client.get(f"{FORMS}submissions/?since=2024-99-99").content
    assert client.get(f"{path}?q=a%00b").status_code == 400


def test_a_sends_recipients_filter_by_state_and_cost_the_same_queries_for_5_and_50(alpha: TenantFixture) -> None:
    with alpha.active():
        small_segment, _contacts = audience(5)
        small = marketing_email(small_segment, name="Small")
        big_segment, _contacts = audience(50, prefix="many")
        big = marketing_email(big_segment, name="Big")
        start_send(small, by=None)
        start_send(big, by=None)
        skipped = Recipient.objects.filter(email=big).order_by("pk").first()
        assert skipped is not None
        Recipient.objects.filter(pk=skipped.pk).update(state=RecipientState.SKIPPED)
    client = alpha.client()

    few, page = _queries(client, f"{SENDS}{small.pk}/")
    many, page_big = _queries(client, f"{SENDS}{big.pk}/")
    filtered = client.get(f"{SENDS}{big.pk}/?state=skipped").content.decode()

    assert _rows(page) == 5
    assert _rows(page_big) == 50
    assert many == few
    assert _rows(filtered) == 1
    assert skipped.address in filtered
    saved = client.post(f"{SENDS}{big.pk}/recipients/views/", {"name": "Skipped", "query": "state=skipped"})
    assert saved["Location"].startswith(f"{SENDS}{big.pk}/?state=skipped")


def test_a_role_without_marketing_reaches_no_list_and_changes_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        segment = Segment.objects.create(name="Kept", kind=SegmentKind.STATIC)
        form = make_form()
        email = marketing_email(None)
    rep = alpha.client(REP_EMAIL)
    for path in (SEGMENTS, EMAILS, f"{FORMS}submissions/", f"{FORMS}{form.pk}/submissions/", f"{SENDS}{email.pk}/"):
        assert rep.get(path).status_code == 403, path
    for path in (f"{SEGMENTS}views/", f"{EMAILS}views/", f"{FORMS}submissions/views/",
                 f"{FORMS}{form.pk}/submissions/views/", f"{SENDS}{email.pk}/recipients/views/"):  # fmt: skip
        assert rep.post(path, {"name": "Mine", "query": ""}).status_code == 403, path
    grant(alpha, "sales_rep", "marketing.view")
    assert rep.post(f"{SEGMENTS}bulk/", {"action": "delete", "ids": [segment.pk]}).status_code == 403
    assert rep.get(SEGMENTS).status_code == 200
    with alpha.active():
        assert Segment.objects.filter(pk=segment.pk).exists()
        assert not SavedView.objects.exists()


def test_a_workspace_without_marketing_gets_the_not_in_plan_page(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    without_modules(alpha, "marketing")
    client = alpha.client()
    for path in (SEGMENTS, EMAILS, f"{FORMS}submissions/", f"{FORMS}{form.pk}/submissions/"):
        response = client.get(path)
        assert "errors/not_in_plan.html" in [template.name for template in response.templates], path
    assert client.post(f"{SEGMENTS}views/", {"name": "Mine", "query": ""}).status_code == 403


def test_another_workspace_reaches_no_list_of_alpha(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        segment = Segment.objects.create(name="Private", kind=SegmentKind.STATIC)
        form = make_form()
        email = marketing_email(segment)
        view = SavedView.objects.create(owner=alpha.user(), entity="segment", name="Alpha's", is_shared=True)
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"{FORMS}{form.pk}/submissions/", {}),
            ("post", f"{FORMS}{form.pk}/submissions/views/", {"name": "Stolen"}),
            ("get", f"{SENDS}{email.pk}/", {}),
            ("post", f"{SENDS}{email.pk}/recipients/views/", {"name": "Stolen"}),
            ("post", f"{SEGMENTS}views/{view.pk}/delete/", {}),
            ("post", f"{SEGMENTS}bulk/", {"action": "delete", "ids": [segment.pk]}),
            ("get", f"{SEGMENTS}?view={view.pk}", {}),
        ],
    )
