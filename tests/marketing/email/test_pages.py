"""The marketing e-mail pages: the editor (drafts only), its preview, test sends, templates, the
sending settings and domains; who may open them, what they save, and another workspace's records
out of reach."""

from __future__ import annotations

import json
from collections.abc import Callable

import dns.resolver
import pytest
from django.utils import timezone

from core.encryption import decrypt
from modules.marketing.choices import EmailStatus
from modules.marketing.email.models import EmailTemplate, SendingDomain, SendingSettings
from modules.marketing.email.services import domains as domain_services
from modules.marketing.email.services.domains import add_domain
from modules.marketing.email.services.settings import update_settings
from modules.marketing.models import MarketingEmail
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.mail_server import MailServer
from tests.marketing.email.conftest import BLOCKS, make_email
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke

EMAILS = "/marketing/emails/"
ADMIN = "/settings/marketing/email/"
FORM = {
    "name": "Autumn news", "subject": "Hi {{ contact.first_name | default: \"there\" }}", "preheader": "Fresh",
    "from_name": "ACME", "from_address": "news@acme.example", "reply_to": "", "subject_b": "", "ab_percent": "0",
    "ab_wait_hours": "4", "track_opens": "on", "track_clicks": "on", "content": json.dumps(BLOCKS),
}  # fmt: skip


def test_a_marketer_creates_a_draft_from_the_editor(alpha: TenantFixture) -> None:
    page = alpha.client().get(f"{EMAILS}new/")
    response = alpha.client().post(f"{EMAILS}new/", FORM)

    assert page.status_code == 200
    assert 'x-data="emailEditor"' in page.content.decode()
    assert response.status_code == 302
    with alpha.active():
        email = MarketingEmail.objects.get()
        assert email.content[0] == {"type": "heading", "text": BLOCKS[0]["text"], "level": 1, "align": "left"}
        assert email.created_by == alpha.user()
    assert response["Location"] == f"{EMAILS}{email.pk}/"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("subject", "Hi {{ contact.shoe }}", "contact.shoe"),
        ("content", json.dumps([{"type": "image", "src": "http://x.example/a.png"}]), "content[0].src"),
        ("content", json.dumps([{"type": "text", "html": "{{ nope }}"}]), "nope"),
        ("content", "{not json", "content"),
        ("name", "a\x00b", "name"),
        ("subject", "x" * 5000, "subject"),
    ],
)
def test_bad_input_is_refused_naming_the_field(alpha: TenantFixture, field: str, value: str, named: str) -> None:
    response = alpha.client().post(f"{EMAILS}new/", {**FORM, field: value})

    assert response.status_code == 400
    assert named in response.content.decode()
    with alpha.active():
        assert not MarketingEmail.objects.exists()


def test_a_sent_e_mail_is_shown_read_only_and_cannot_be_changed(alpha: TenantFixture) -> None:
    email = make_email(alpha)
    with alpha.active():
        MarketingEmail.objects.filter(pk=email.pk).update(status=EmailStatus.SENT, sent_at=timezone.now())

    page = alpha.client().get(f"{EMAILS}{email.pk}/")
    change = alpha.client().post(f"{EMAILS}{email.pk}/", {**FORM, "name": "Changed"})

    assert page.status_code == 200
    assert 'data-testid="read-only"' in page.content.decode()
    assert "emailEditor" not in page.content.decode()
    assert change.status_code == 409
    with alpha.active():
        assert MarketingEmail.objects.get().name == "Spring newsletter"


def test_the_preview_is_a_sandboxed_document_filled_as_the_chosen_contact(alpha: TenantFixture) -> None:
    with alpha.active():
        ContactFactory(first_name="<Mara>", email="mara@example.com")
    client = alpha.client()

    response = client.post(f"{EMAILS}preview/", {"content": json.dumps(BLOCKS), "contact": "MARA@example.com"})
    broken = client.post(f"{EMAILS}preview/", {"content": json.dumps([{"type": "script"}])})

    assert response.status_code == 200
    assert "Hello &lt;Mara&gt;" in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert broken.status_code == 400
    assert "content[0].type" in broken.content.decode()


def test_a_test_send_from_the_editor_reaches_the_smtp_server(alpha: TenantFixture, smtp_server: MailServer) -> None:
    email = make_email(alpha)
    client = alpha.client()

    response = client.post(f"{EMAILS}{email.pk}/test/", {"addresses": "qa@example.com"})
    too_many = client.post(f"{EMAILS}{email.pk}/test/", {"addresses": ",".join(f"q{n}@example.com" for n in range(6))})

    assert response.status_code == 302
    assert [message["Subject"] for message in smtp_server.messages] == ["[Test] Spring news, friend"]
    assert too_many.status_code == 302
    assert len(smtp_server.messages) == 1


def test_save_as_template_and_start_from_it(alpha: TenantFixture) -> None:
    email = make_email(alpha)
    client = alpha.client()

    client.post(f"{EMAILS}{email.pk}/save-as-template/", {"name": "House style"})
    with alpha.active():
        template = EmailTemplate.objects.get()
    response = client.post(f"{EMAILS}templates/{template.pk}/use/")

    with alpha.active():
        copy = MarketingEmail.objects.exclude(pk=email.pk).get()
        assert copy.content == email.content
        assert copy.status == EmailStatus.DRAFT
    assert response["Location"] == f"{EMAILS}{copy.pk}/"


def test_the_list_costs_the_same_queries_for_2_and_12_e_mails(
    alpha: TenantFixture, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = alpha.client()
    for number in range(2):
        make_email(alpha, name=f"E-mail {number}")
    client.get(EMAILS)
    with django_assert_max_num_queries(30) as few:
        client.get(EMAILS)
    for number in range(2, 12):
        make_email(alpha, name=f"E-mail {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(EMAILS)
    assert response.content.decode().count('class="list-name') == 12


def test_sending_settings_save_the_password_encrypted(alpha: TenantFixture, smtp_server: MailServer) -> None:
    response = alpha.client().post(
        ADMIN,
        {
            "method": "smtp", "smtp_host": "127.0.0.1", "smtp_port": str(smtp_server.port), "smtp_security": "none",
            "smtp_user": "", "smtp_password": "pw-123", "postal_address": "1 Main St", "provider": "",
            "default_from_name": "", "default_from_address": "", "region": "", "sender_domain": "",
        },
    )  # fmt: skip
    test = alpha.client().post(f"{ADMIN}test/", {"addresses": "admin@example.com"})

    assert response.status_code == 302
    with alpha.active():
        row = SendingSettings.objects.get()
        assert row.smtp_password.startswith("fernet:")
        assert decrypt(row.smtp_password) == "pw-123"
    assert test.status_code == 302
    assert [str(message["To"]) for message in smtp_server.messages] == ["admin@example.com"]


def test_the_domain_page_shows_each_records_check(
    alpha: TenantFixture, dns_zone: Callable[[str], dns.resolver.Resolver], monkeypatch: pytest.MonkeyPatch
) -> None:
    with alpha.active():
        update_settings(by=None, method="service", provider="postmark", api_key="pm")
        domain = add_domain(by=None, domain="acme.example")
    resolver = dns_zone('acme.example. 300 IN TXT "v=spf1 include:spf.mtasv.net ~all"\n')
    monkeypatch.setattr(domain_services, "new_resolver", lambda: resolver)

    alpha.client().post(f"{ADMIN}domains/{domain.pk}/check/")
    page = alpha.client().get(f"{ADMIN}domains/{domain.pk}/").content.decode()

    assert "v=spf1 include:spf.mtasv.net ~all" in page
    with alpha.active():
        domain.refresh_from_db()
    assert (domain.spf_state, domain.dkim_state, domain.verified_at) == ("pass", "fail", None)


def test_roles_without_the_permissions_open_no_page(alpha: TenantFixture) -> None:
    email = make_email(alpha)
    with alpha.active():
        domain = SendingDomain.objects.create(domain="acme.example")
    revoke(alpha, "admin", "marketing.change", "marketing.admin")
    admin = alpha.client()
    for method, path in [
        ("get", f"{EMAILS}new/"), ("post", f"{EMAILS}new/"), ("post", f"{EMAILS}{email.pk}/test/"),
        ("post", f"{EMAILS}{email.pk}/save-as-template/"), ("get", ADMIN), ("post", ADMIN),
        ("post", f"{ADMIN}test/"), ("get", f"{ADMIN}domains/"), ("post", f"{ADMIN}domains/{domain.pk}/check/"),
        ("post", f"{ADMIN}domains/{domain.pk}/delete/"),
    ]:  # fmt: skip
        response = getattr(admin, method)(path, FORM if method == "post" else None)
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
    assert admin.get(f"{EMAILS}{email.pk}/").status_code == 200  # read-only for a viewer
    assert admin.post(f"{EMAILS}{email.pk}/", FORM).status_code == 403
    revoke(alpha, "admin", "marketing.view")
    assert alpha.client().get(EMAILS).status_code == 403
    assert alpha.client(REP_EMAIL).get(ADMIN).status_code == 403
    with alpha.active():
        assert MarketingEmail.objects.get().name == "Spring newsletter"


def test_another_workspace_reaches_none_of_the_records(alpha: TenantFixture, beta: TenantFixture) -> None:
    email = make_email(alpha)
    with alpha.active():
        template = EmailTemplate.objects.create(name="Alpha style")
        domain = SendingDomain.objects.create(domain="alpha.example")
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"{EMAILS}{email.pk}/", {}), ("post", f"{EMAILS}{email.pk}/", FORM),
            ("get", f"{EMAILS}{email.pk}/preview/", {}),
            ("post", f"{EMAILS}{email.pk}/test/", {"addresses": "x@example.com"}),
            ("post", f"{EMAILS}{email.pk}/save-as-template/", {"name": "Stolen"}),
            ("post", f"{EMAILS}{email.pk}/delete/", {}),
            ("post", f"{EMAILS}templates/{template.pk}/use/", {}), ("get", f"{ADMIN}domains/{domain.pk}/", {}),
            ("post", f"{ADMIN}domains/{domain.pk}/check/", {}), ("post", f"{ADMIN}domains/{domain.pk}/delete/", {}),
        ],
    )  # fmt: skip


def test_without_the_module_in_the_plan_the_pages_answer_not_in_plan(alpha: TenantFixture) -> None:
    email = make_email(alpha)
    without_modules(alpha, "marketing")
    client = alpha.client()
    for path in (EMAILS, f"{EMAILS}{email.pk}/", f"{EMAILS}{email.pk}/preview/", ADMIN, f"{ADMIN}domains/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "errors/not_in_plan.html" in [template.name for template in response.templates]
