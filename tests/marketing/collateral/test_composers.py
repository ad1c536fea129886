"""Collateral attached from the composers: the case reply (the current file as the reply's
attachment, or a signed share link in its text) and "Send to a contact" on an item's page (merge
fields, the tenant's mail, the contact's timeline); permissions, the plan gate and isolation."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from modules.collaboration.models.attachment import attachment_storage
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.marketing.collateral.models import CollateralItem
from modules.marketing.collateral.services import archive_item, create_item
from modules.marketing.email.models import SendingDomain
from modules.marketing.email.services.settings import update_settings
from modules.service.forms import MAX_FILES
from modules.service.models import CaseAttachment, CaseMessage
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.mail_server import MailServer
from tests.marketing.collateral.conftest import PDF
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, revoke, schema_snapshot

LIBRARY = "/marketing/collateral"


def _item(alpha: TenantFixture, title: str = "Price sheet") -> CollateralItem:
    with alpha.active():
        return create_item(title=title, upload=SimpleUploadedFile("prices.pdf", PDF), by=alpha.user())


def _smtp(alpha: TenantFixture, server: MailServer) -> None:
    """The tenant's own SMTP server, sending from its verified domain."""
    with alpha.active():
        SendingDomain.objects.create(domain="alpha.example", verified_at=timezone.now())
        update_settings(by=None, method="smtp", smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="none",
                        default_from_address="sales@alpha.example")  # fmt: skip


def test_a_reply_attaches_the_current_file_of_a_collateral_item(alpha: TenantFixture, private_root: Path) -> None:
    item = _item(alpha)
    case = make_case(alpha)
    client = alpha.client()

    page = client.get(f"/cases/{case.pk}/").content.decode()
    replied = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "Here are our prices.", "attach_from": f"collateral:{item.pk}", "attach_as": "file",
    })  # fmt: skip

    assert 'data-testid="attach-from"' in page
    assert f'value="collateral:{item.pk}"' in page
    assert replied.status_code == 302
    with alpha.active():
        message = CaseMessage.objects.get(case=case)
        attachment = CaseAttachment.objects.get(message=message)
        assert attachment.name == "prices.pdf"
        with attachment_storage().open(attachment.storage_key, "rb") as handle:
            assert handle.read() == PDF
    download = client.get(f"/cases/{case.pk}/files/{attachment.pk}/")
    assert b"".join(download.streaming_content) == PDF


def test_a_reply_carries_a_signed_share_link_instead(alpha: TenantFixture, private_root: Path) -> None:
    item = _item(alpha)
    case = make_case(alpha)
    client = alpha.client()

    client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "The sheet:", "attach_from": f"collateral:{item.pk}", "attach_as": "link",
    })  # fmt: skip

    with alpha.active():
        message = CaseMessage.objects.get(case=case)
        assert not CaseAttachment.objects.filter(message=message).exists()
    link = message.body_text.split("Price sheet: ", 1)[1].strip()
    assert link.startswith(f"http://{alpha.host}/collateral/shared/")
    assert b"".join(client.get(link).streaming_content) == PDF


def test_the_reply_picker_refuses_what_it_cannot_send(alpha: TenantFixture, private_root: Path) -> None:
    item = _item(alpha)
    live = _item(alpha, title="Brochure")
    case = make_case(alpha)
    with alpha.active():
        archive_item(item, by=alpha.user(), archived=True)
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    archived = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "x", "attach_from": f"collateral:{item.pk}"})  # fmt: skip
    unknown_source = client.post(f"/cases/{case.pk}/messages/", {"kind": "reply", "body": "x", "attach_from": "nope:1"})
    not_a_number = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "x", "attach_from": "collateral:1x"})  # fmt: skip
    huge = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "x", "attach_from": "collateral:" + "9" * 40})  # fmt: skip

    too_many = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "x", "attach_from": f"collateral:{live.pk}",
        "attachments": [SimpleUploadedFile(f"f{n}.txt", b"text") for n in range(MAX_FILES)],
    })  # fmt: skip

    assert too_many.status_code == 400
    assert "attachments-errors" in too_many.content.decode()
    assert archived.status_code == 404
    assert unknown_source.status_code == 400
    assert "attach_from-errors" in unknown_source.content.decode()
    assert not_a_number.status_code == 404
    assert huge.status_code == 404
    assert schema_snapshot(alpha.tenant) == before


def test_a_role_that_may_not_browse_the_library_gets_no_picker_and_attaches_nothing(
    alpha: TenantFixture, private_root: Path
) -> None:
    item = _item(alpha)
    case = make_case(alpha)
    revoke(alpha, "admin", "marketing.view", "sales.view")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    page = client.get(f"/cases/{case.pk}/").content.decode()
    refused = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "x", "attach_from": f"collateral:{item.pk}"})  # fmt: skip
    send = client.post(f"{LIBRARY}/{item.pk}/send/", {"subject": "s", "body": "b", "attach_as": "file"})

    assert 'data-testid="attach-from"' not in page
    assert refused.status_code == 403
    assert send.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_a_workspace_without_marketing_sees_no_collateral_picker(alpha: TenantFixture, private_root: Path) -> None:
    item = _item(alpha)
    case = make_case(alpha)
    without_modules(alpha, "marketing")
    client = alpha.client()

    page = client.get(f"/cases/{case.pk}/").content.decode()
    refused = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "x", "attach_from": f"collateral:{item.pk}"})  # fmt: skip
    send = client.post(f"{LIBRARY}/{item.pk}/send/", {"subject": "s", "body": "b", "attach_as": "file"})

    assert 'data-testid="composer"' in page
    assert 'data-testid="attach-from"' not in page
    assert refused.status_code == 403
    assert send.status_code == 403
    with alpha.active():
        assert not CaseMessage.objects.filter(case=case).exists()


def test_send_to_a_contact_fills_merge_fields_and_logs_the_timeline(
    alpha: TenantFixture, private_root: Path, smtp_server: MailServer
) -> None:
    item = _item(alpha)
    _smtp(alpha, smtp_server)
    with alpha.active():
        contact = ContactFactory(first_name="Olga", email="olga@customer.example", owner=alpha.user())
    client = alpha.client()

    page = client.get(f"{LIBRARY}/{item.pk}/").content.decode()
    sent = client.post(f"{LIBRARY}/{item.pk}/send/", {
        "contact": contact.pk, "subject": "Prices for {{ record.first_name }}",
        "body": "Hello {{ record.first_name }},\nhere they are.\n{{ owner.first_name | \"Us\" }}", "attach_as": "file",
    })  # fmt: skip
    linked = client.post(f"{LIBRARY}/{item.pk}/send/", {
        "contact": contact.pk, "subject": "Link", "body": "Hi", "attach_as": "link"})  # fmt: skip

    assert 'data-testid="send-to-contact"' in page
    assert sent.status_code == 302
    assert linked.status_code == 302
    first, second = smtp_server.to("olga@customer.example")
    assert first["Subject"] == "Prices for Olga"
    parts = [part for part in first.walk() if part.get_filename()]
    assert [part.get_filename() for part in parts] == ["prices.pdf"]
    assert parts[0].get_payload(decode=True) == PDF
    assert "Hello Olga," in first.get_body(("plain",)).get_content()
    assert f"Price sheet: http://{alpha.host}/collateral/shared/" in second.get_body(("plain",)).get_content()
    with alpha.active():
        entries = TimelineEntry.objects.filter(contact=contact, kind=TimelineKind.COLLATERAL_SENT).order_by("pk")
        assert [(entry.data["subject"], entry.data["as"]) for entry in entries] == [("Prices for Olga", "file"),
                                                                                    ("Link", "link")]  # fmt: skip
    timeline = client.get(f"/timeline/contact/{contact.pk}/").content.decode()
    assert "timeline-collateral-sent" in timeline


def test_send_to_a_contact_refuses_bad_input_and_a_refusing_server_naming_the_field(
    alpha: TenantFixture, private_root: Path, smtp_server: MailServer
) -> None:
    item = _item(alpha)
    _smtp(alpha, smtp_server)
    with alpha.active():
        contact = ContactFactory(email="p@customer.example", owner=alpha.user())
        no_address = ContactFactory(email="", owner=alpha.user())
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)
    base = {"contact": contact.pk, "subject": "Hi", "body": "Text", "attach_as": "file"}

    def post(**changes: object) -> tuple[int, str]:
        response = client.post(f"{LIBRARY}/{item.pk}/send/", {**base, **changes})
        return response.status_code, response.content.decode()

    for changes, field in (
        ({"subject": "a\x00b"}, "subject"), ({"subject": "x" * 5000}, "subject"), ({"body": ""}, "body"),
        ({"contact": "999999999"}, "contact"), ({"contact": no_address.pk}, "contact"),
        ({"attach_as": "fax"}, "attach_as"),
    ):  # fmt: skip
        status, content = post(**changes)
        assert status == 400, changes
        assert f'data-testid="{field}-errors"' in content, changes
    smtp_server.refuse("554 5.7.1 Refused")
    status, content = post()
    assert status == 400
    assert 'data-testid="contact-errors"' in content
    assert smtp_server.to("p@customer.example") == []
    assert schema_snapshot(alpha.tenant) == before


def test_only_contacts_the_rep_may_see_can_receive(
    alpha: TenantFixture, private_root: Path, smtp_server: MailServer, make_user
) -> None:
    item = _item(alpha)
    _smtp(alpha, smtp_server)
    rep = make_user("sales_rep", "rita2@example.test")
    with alpha.active():
        hidden = ContactFactory(email="hidden@customer.example", owner=alpha.user())
        own = ContactFactory(email="own@customer.example", owner=rep)
    client = alpha.client("rita2@example.test")
    data = {"subject": "Hi", "body": "Text", "attach_as": "file"}

    refused = client.post(f"{LIBRARY}/{item.pk}/send/", {**data, "contact": hidden.pk})
    sent = client.post(f"{LIBRARY}/{item.pk}/send/", {**data, "contact": own.pk})

    assert refused.status_code == 400
    assert smtp_server.to("hidden@customer.example") == []
    assert sent.status_code == 302
    assert len(smtp_server.to("own@customer.example")) == 1


def test_another_workspace_reaches_no_item_through_the_composers(
    alpha: TenantFixture, beta: TenantFixture, private_root: Path
) -> None:
    item = _item(alpha)
    with beta.active():
        beta_contact = ContactFactory(email="b@customer.example")
    beta_case = make_case(beta)
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [("post", f"{LIBRARY}/{item.pk}/send/", {"contact": beta_contact.pk, "subject": "s", "attach_as": "file"})],
    )
    # An id of alpha's item in beta's case composer names nothing there.
    with beta.active():
        assert not CollateralItem.objects.filter(pk=item.pk).exists()
    response = beta.client().post(f"/cases/{beta_case.pk}/messages/", {
        "kind": "reply", "body": "x", "attach_from": f"collateral:{item.pk}"})  # fmt: skip
    assert response.status_code == 404
    with beta.active():
        assert not CaseMessage.objects.filter(case=beta_case).exists()
