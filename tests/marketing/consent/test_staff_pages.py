"""The staff pages: topics (marketing.admin), the suppression list (search, add, remove with an
audit entry, CSV in and out), the consent section of a contact's page (status, history, a consent
recorded by phone, the history as CSV); permissions, plan gate, isolation, query counts, bad input."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from identity.models import AuditEntry
from modules.contacts.models import Contact
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentAction, ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.consent.services import record_consent, suppress
from modules.marketing.models import Suppression, Topic
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.marketing.consent.conftest import make_topic
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def test_topics_are_created_edited_and_kept_when_they_have_history(alpha: TenantFixture) -> None:
    client = alpha.client()
    created = client.post(
        reverse("marketing-consent:topics"), {"key": "events", "name": "Events", "position": "1", "is_active": "on"}
    )
    assert created.status_code == 302
    with alpha.active():
        topic = Topic.objects.get(key="events")
        record_consent(ContactFactory(email="a@example.com"), topic, granted=True, source="form", proof={})
    edited = client.post(
        reverse("marketing-consent:topic-edit", args=[topic.pk]),
        {"key": "events", "name": "Events and fairs", "position": "2"},
    )
    assert edited.status_code == 302
    assert client.post(reverse("marketing-consent:topic-delete", args=[topic.pk])).status_code == 302
    with alpha.active():
        topic.refresh_from_db()
        assert (topic.name, topic.is_active) == ("Events and fairs", False)
        assert AuditEntry.objects.filter(action__startswith="marketing.topic_").count() == 2
    page = client.get(reverse("marketing-consent:topics"))
    assert page.status_code == 200
    assert "Events and fairs" in page.content.decode()


def test_bad_topic_input_names_the_field(alpha: TenantFixture) -> None:
    client = alpha.client()
    for data, field in (
        ({"key": "a b", "name": "x", "position": "0"}, "key"),
        ({"key": "ok", "name": "x\x00", "position": "0"}, "name"),
        ({"key": "ok", "name": "x" * 5000, "position": "0"}, "name"),
        ({"key": "ok", "name": "x", "position": "9" * 30}, "position"),
    ):
        response = client.post(reverse("marketing-consent:topics"), data)
        assert response.status_code == 400
        assert field in response.context["form"].errors
    with alpha.active():
        make_topic("taken", "Taken")
    duplicate = client.post(reverse("marketing-consent:topics"), {"key": "taken", "name": "Again", "position": "0"})
    assert duplicate.status_code == 400
    assert "key" in duplicate.context["form"].errors
    with alpha.active():
        assert Topic.objects.count() == 1


def test_the_suppression_list_is_searched_added_to_and_removed_from_with_an_audit(alpha: TenantFixture) -> None:
    client = alpha.client()
    assert (
        client.post(
            reverse("marketing-consent:suppression-add"),
            {"email": "Spam@Example.com", "reason": "complaint", "detail": "called"},
        ).status_code
        == 302
    )
    with alpha.active():
        suppress("other@example.com", reason=SuppressionReason.HARD_BOUNCE, source="ses")
    found = client.get(reverse("marketing-consent:suppressions"), {"q": "SPAM"})
    assert found.status_code == 200
    assert [row.email for row in found.context["rows"]] == ["spam@example.com"]
    removed = client.post(
        reverse("marketing-consent:suppression-remove"), {"email": "spam@example.com", "note": "wrong address"}
    )
    assert removed.status_code == 302
    with alpha.active():
        assert list(Suppression.objects.values_list("email", flat=True)) == ["other@example.com"]
        assert AuditEntry.objects.get(action="marketing.unsuppressed").details["note"] == "wrong address"
    assert client.post(reverse("marketing-consent:suppression-remove"), {"email": "x@example.com"}).status_code == 400
    bad = client.post(reverse("marketing-consent:suppression-add"), {"email": "no\x00@example.com", "reason": "manual"})
    assert bad.status_code == 400
    assert "email" in bad.context["form"].errors
    assert client.get(reverse("marketing-consent:suppressions"), {"q": "a\x00"}).status_code == 400


def test_the_suppression_list_costs_the_same_queries_for_5_and_50_rows(
    alpha: TenantFixture, django_assert_max_num_queries
) -> None:
    client = alpha.client()
    client.get(reverse("marketing-consent:suppressions"))
    with alpha.active():
        for n in range(5):
            Suppression.objects.create(email=f"s{n}@example.com", reason="manual")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("marketing-consent:suppressions"))
    few_count = len(few.captured_queries)
    with alpha.active():
        for n in range(5, 50):
            Suppression.objects.create(email=f"s{n}@example.com", reason="manual")
    with django_assert_max_num_queries(few_count):
        page = client.get(reverse("marketing-consent:suppressions"))
    assert len(page.context["rows"]) == 50


def test_suppressions_import_and_export_as_csv(alpha: TenantFixture) -> None:
    client = alpha.client()
    upload = SimpleUploadedFile(
        "list.csv", b"Email,Reason,Detail\nA@example.com,hard_bounce,old list\nnot-an-address,,\n=cmd@example.com,,\n"
    )
    response = client.post(reverse("marketing-consent:suppression-import"), {"file": upload})
    assert response.status_code == 302
    with alpha.active():
        assert dict(Suppression.objects.values_list("email", "reason")) == {
            "a@example.com": "hard_bounce", "=cmd@example.com": "manual",
        }  # fmt: skip
    exported = client.get(reverse("marketing-consent:suppression-export"))
    text = b"".join(exported.streaming_content).decode()
    assert exported["Content-Type"].startswith("text/csv")
    assert "a@example.com,hard_bounce" in text
    assert "'=cmd@example.com" in text

    for content in (b"\xff\xfe\x00broken", b"name\nx\n"):
        refused = client.post(
            reverse("marketing-consent:suppression-import"), {"file": SimpleUploadedFile("x.csv", content)}
        )
        assert refused.status_code == 400
        assert "file" in refused.context["import_form"].errors


def test_the_contact_consent_section_records_a_phone_consent_with_its_note(
    alpha: TenantFixture, django_assert_max_num_queries
) -> None:
    with alpha.active():
        topic = make_topic()
        contact = ContactFactory(email="ana@example.com")
        record_consent(contact, topic, granted=True, source=ConsentSource.FORM, proof={"form": 1})
        record_consent(contact, topic, granted=False, source=ConsentSource.UNSUBSCRIBE_LINK, proof={})
    client = alpha.client()
    panel_url = reverse("marketing-consent:contact-panel", args=["contact", contact.pk])
    client.get(panel_url)
    with django_assert_max_num_queries(14) as few:
        assert client.get(panel_url).status_code == 200
    few_count = len(few.captured_queries)

    recorded = client.post(
        reverse("marketing-consent:contact-record", args=[contact.pk]),
        {"topic": topic.pk, "granted": "1", "note": "Said yes on the phone"},
    )
    assert recorded.status_code == 302
    with alpha.active():
        assert Consent.objects.get().status == ConsentStatus.GRANTED
        event = ConsentEvent.objects.get(action=ConsentAction.GRANTED, source=ConsentSource.STAFF)
        assert event.proof["note"] == "Said yes on the phone"
        assert event.actor == alpha.user()
        for n in range(10):
            record_consent(contact, topic, granted=bool(n % 2), source=ConsentSource.STAFF, proof={"note": str(n)})
    with django_assert_max_num_queries(few_count):
        page = client.get(panel_url)
    assert "Said yes on the phone" in page.content.decode()
    detail = client.get(reverse("contacts:contact-detail", args=[contact.pk])).content.decode()
    assert f'hx-get="{panel_url}"' in detail

    history = client.get(reverse("marketing-consent:contact-history", args=[contact.pk]))
    lines = b"".join(history.streaming_content).decode().splitlines()
    assert lines[0].startswith("occurred_at,topic,action")
    assert len(lines) == 1 + 3 + 10
    assert "form=1" in lines[1]

    no_note = client.post(
        reverse("marketing-consent:contact-record", args=[contact.pk]), {"topic": topic.pk, "granted": "1", "note": ""}
    )
    assert no_note.status_code == 400
    assert "note" in no_note.context["form"].errors
    nul = client.post(
        reverse("marketing-consent:contact-record", args=[contact.pk]),
        {"topic": topic.pk, "granted": "1", "note": "x\x00"},
    )
    assert nul.status_code == 400
    assert "note" in nul.context["form"].errors


def test_roles_without_the_permission_are_refused_and_nothing_is_written(alpha: TenantFixture) -> None:
    with alpha.active():
        topic = make_topic()
        contact = ContactFactory(email="ana@example.com", owner=alpha.user(REP_EMAIL))
    rep = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)
    for method, name, args, data in (
        ("get", "topics", [], {}),
        ("post", "topics", [], {"key": "x", "name": "x", "position": "0"}),
        ("post", "topic-delete", [topic.pk], {}),
        ("get", "suppressions", [], {}),
        ("post", "suppression-add", [], {"email": "a@example.com", "reason": "manual"}),
        ("get", "suppression-export", [], {}),
        ("get", "contact-panel", ["contact", contact.pk], {}),
        ("post", "contact-record", [contact.pk], {"topic": topic.pk, "granted": "1", "note": "x"}),
        ("get", "contact-history", [contact.pk], {}),
    ):
        response = getattr(rep, method)(reverse(f"marketing-consent:{name}", args=args), data)
        assert response.status_code == 403, name
    assert schema_snapshot(alpha.tenant) == before


def test_a_marketer_sees_the_list_but_may_not_change_it(alpha: TenantFixture) -> None:
    from tests.tenancy import grant

    grant(alpha, "sales_rep", "marketing.view")
    rep = alpha.client(REP_EMAIL)
    assert rep.get(reverse("marketing-consent:suppressions")).status_code == 200
    assert (
        rep.post(
            reverse("marketing-consent:suppression-add"), {"email": "a@example.com", "reason": "manual"}
        ).status_code
        == 403
    )
    with alpha.active():
        hidden = ContactFactory(email="b@example.com", owner=alpha.user())
    assert rep.get(reverse("marketing-consent:contact-panel", args=["contact", hidden.pk])).status_code == 404


def test_without_marketing_in_the_plan_the_pages_answer_not_in_plan(alpha: TenantFixture) -> None:
    without_modules(alpha, "marketing")
    response = alpha.client().get(reverse("marketing-consent:suppressions"))
    assert response.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in response.templates]


def test_another_workspaces_records_are_out_of_reach(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        topic = make_topic("alpha-only", "Alpha only")
        contact = ContactFactory(email="alpha-only@example.com")
        for _ in range(3):
            ContactFactory()
    with beta.active():  # the ids exist only in alpha
        Topic.objects.filter(pk=topic.pk).delete()
        assert not Contact.objects.filter(pk=contact.pk).exists()
    assert_cross_tenant_requests_fail(
        alpha, beta,
        [
            ("get", reverse("marketing-consent:topic-edit", args=[topic.pk]), {}),
            ("post", reverse("marketing-consent:topic-delete", args=[topic.pk]), {}),
            ("get", reverse("marketing-consent:contact-panel", args=["contact", contact.pk]), {}),
            ("post", reverse("marketing-consent:contact-record", args=[contact.pk]),
             {"topic": topic.pk, "granted": "1", "note": "x"}),
            ("get", reverse("marketing-consent:contact-history", args=[contact.pk]), {}),
        ],
    )  # fmt: skip
