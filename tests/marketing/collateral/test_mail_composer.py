"""Collateral attached from the e-mail a rep writes on a record (``/mail/compose/<entity>/<pk>/``):
the item's current file sent as an attachment, or a signed share link below the text (after a
template's text); refusals named, nothing written; the role, the plan gate and another workspace."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customization.workflows.models import EmailTemplate
from modules.mailboxes.models import MailAttachment, MailMessage
from modules.marketing.collateral.models import CollateralItem
from modules.marketing.collateral.services import archive_item, create_item
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory, DealFactory
from tests.mail_server import MailServer
from tests.marketing.collateral.conftest import PDF
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, revoke, schema_snapshot

pytestmark = pytest.mark.usefixtures("eager_tasks")


def _item(tenant: TenantFixture, title: str = "Price sheet") -> CollateralItem:
    with tenant.active():
        return create_item(title=title, upload=SimpleUploadedFile("prices.pdf", PDF), by=tenant.user())


def _contact(tenant: TenantFixture) -> Any:
    with tenant.active():
        return ContactFactory(first_name="Olga", email="olga@customer.example", owner=tenant.user())


def _post(client: Any, url: str, **fields: Any) -> Any:
    data = {"to": "olga@customer.example", "cc": "", "subject": "Our prices", "body": "Hello Olga,", "template": "",
            "send_at": "", **fields}  # fmt: skip
    return client.post(url, data)


def test_an_email_on_a_contact_carries_the_current_file_of_an_item(
    alpha: TenantFixture, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
) -> None:
    item = _item(alpha)
    contact = _contact(alpha)
    url = f"/mail/compose/contact/{contact.pk}/"

    page = alpha.client().get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = _post(alpha.client(), url, attach_from=f"collateral:{item.pk}", attach_as="file")

    assert 'data-testid="attach-from"' in page
    assert f'value="collateral:{item.pk}"' in page
    assert sent.status_code == 302
    [message] = smtp_server.to("olga@customer.example")
    parts = [part for part in message.walk() if part.get_filename()]
    assert [part.get_filename() for part in parts] == ["prices.pdf"]
    assert parts[0].get_payload(decode=True) == PDF
    with alpha.active():
        assert MailAttachment.objects.get(message=MailMessage.objects.get()).name == "prices.pdf"


def test_a_share_link_goes_below_the_text_a_template_filled(
    alpha: TenantFixture, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
) -> None:
    item = _item(alpha)
    with alpha.active():
        deal = DealFactory(name="Renewal", owner=alpha.user())
        template = EmailTemplate.objects.create(name="Offer", subject="About {{ record.name }}", body="As promised:")
    url = f"/mail/compose/deal/{deal.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        sent = _post(alpha.client(), url, subject="", body="", template=str(template.pk),
                     attach_from=f"collateral:{item.pk}", attach_as="link")  # fmt: skip

    assert sent.status_code == 302
    [message] = smtp_server.to("olga@customer.example")
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("As promised:\n\nPrice sheet: ")
    link = text.split("Price sheet: ", 1)[1].split()[0]
    assert link.startswith(f"http://{alpha.host}/collateral/shared/")
    assert not [part for part in message.walk() if part.get_filename()]
    assert b"".join(alpha.client().get(link).streaming_content) == PDF


def test_the_picker_refuses_what_it_cannot_send_and_writes_nothing(alpha: TenantFixture) -> None:
    archived = _item(alpha)
    live = _item(alpha, title="Brochure")
    contact = _contact(alpha)
    with alpha.active():
        archive_item(archived, by=alpha.user(), archived=True)
    url = f"/mail/compose/contact/{contact.pk}/"
    client = alpha.client()  # signed in before the snapshot (signing in stamps last_login)
    before = schema_snapshot(alpha.tenant)

    for fields, status, field in (
        ({"attach_from": "nope:1"}, 400, "attach_from"),
        ({"attach_from": f"collateral:{live.pk}", "attach_as": "fax"}, 400, "attach_as"),
        ({"attach_from": f"collateral:{archived.pk}"}, 404, None),
        ({"attach_from": "collateral:1x"}, 404, None),
        ({"attach_from": "collateral:" + "9" * 40}, 404, None),
    ):
        response = _post(client, url, **fields)
        assert response.status_code == status, fields
        if field:
            assert f'data-testid="{field}-errors"' in response.content.decode(), fields
    assert schema_snapshot(alpha.tenant) == before


def test_a_role_or_workspace_without_the_library_gets_no_picker_and_attaches_nothing(
    alpha: TenantFixture, beta: TenantFixture
) -> None:
    item = _item(alpha)
    contact = _contact(alpha)
    url = f"/mail/compose/contact/{contact.pk}/"
    revoke(alpha, "admin", "marketing.view", "sales.view")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    no_role_page = client.get(url).content.decode()
    no_role = _post(client, url, attach_from=f"collateral:{item.pk}")

    assert 'data-testid="attach-from"' not in no_role_page
    assert no_role.status_code == 403
    assert schema_snapshot(alpha.tenant) == before

    beta_url = f"/mail/compose/contact/{_contact(beta).pk}/"
    with beta.active():
        assert not CollateralItem.objects.filter(pk=item.pk).exists()
    beta_client = beta.client()
    other_workspace = _post(beta_client, beta_url, attach_from=f"collateral:{item.pk}")  # alpha's id: nothing here
    with beta.active():
        without_modules(beta, "marketing")
    unplanned_page = beta_client.get(beta_url).content.decode()
    unplanned = _post(beta_client, beta_url, attach_from=f"collateral:{item.pk}")

    assert other_workspace.status_code == 404
    assert 'data-testid="attach-from"' not in unplanned_page
    assert unplanned.status_code == 403
    with beta.active():
        assert not MailMessage.objects.exists()


def test_another_workspace_cannot_write_on_a_record_with_an_item(alpha: TenantFixture, beta: TenantFixture) -> None:
    item = _item(alpha)
    contact = _contact(alpha)
    assert_cross_tenant_requests_fail(alpha, beta, [(
        "post", f"/mail/compose/contact/{contact.pk}/",
        {"to": "olga@customer.example", "subject": "s", "body": "b", "attach_from": f"collateral:{item.pk}"},
    )])  # fmt: skip
