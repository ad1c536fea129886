"""Open and click tracking of e-mail written in the CRM: the e-mail reaching a real SMTP server
carries a signed image and links through signed redirects; opening and clicking count on the
message and show on the record's timeline; another workspace's token, an altered one or an
untracked message count nothing; a workspace that switched tracking off sends plain mail."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.models import MailMessage
from tests.factories import ContactFactory
from tests.mail_server import MailServer
from tests.tenancy import REP_EMAIL, TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture(autouse=True)
def private_files(tmp_path: Path, settings: Any) -> None:
    settings.PRIVATE_FILES_ROOT = tmp_path


def _send(tenant: TenantFixture, capture: Any, **values: str) -> tuple[Any, Any]:
    with tenant.active():
        contact = ContactFactory(email="ada@analytical.example", owner=tenant.user(REP_EMAIL))
    data = {
        "to": "ada@analytical.example",
        "subject": "Offer",
        "body": "See https://shop.example/offer?a=1&b=2 now.",
        **values,
    }
    with capture(execute=True):
        assert tenant.client(REP_EMAIL).post(f"/mail/compose/contact/{contact.pk}/", data).status_code == 302
    return contact, tenant


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_opens_and_clicks_of_a_tracked_email_show_on_the_record(
    alpha: TenantFixture, beta: TenantFixture, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
):
    contact, _tenant = _send(alpha, django_capture_on_commit_callbacks, track="on")

    [sent] = smtp_server.to("ada@analytical.example")
    html = sent.get_body(preferencelist=("html",)).get_content()
    assert "https://shop.example/offer?a=1&b=2" in sent.get_body(preferencelist=("plain",)).get_content()
    [pixel] = re.findall(r'<img src="([^"]+/mail/p/o/[^"]+/)"', html)
    [link] = re.findall(r'<a href="([^"]+/mail/p/c/[^"]+/)"', html)
    anonymous = alpha.client(None)

    assert anonymous.get(_path(pixel)).status_code == 200
    assert anonymous.get(_path(pixel))["Content-Type"] == "image/gif"
    clicked = anonymous.get(_path(link).replace("&amp;", "&"))
    assert clicked.status_code == 302
    assert clicked["Location"] == "https://shop.example/offer?a=1&b=2"
    assert beta.client(None).get(_path(pixel)).status_code == 404  # another workspace's token
    assert anonymous.get(_path(pixel)[:-3] + "xx/").status_code == 404
    with alpha.active():
        message = MailMessage.objects.get()
        assert (message.tracked, message.open_count, message.click_count) == (True, 3, 1)
        assert message.opened_at is not None
        assert message.clicked_at is not None
        entry = TimelineEntry.objects.get(kind=TimelineKind.EMAIL, contact=contact)
        assert (entry.data["opens"], entry.data["clicks"]) == (3, 1)
    timeline = alpha.client(REP_EMAIL).get(f"/timeline/contact/{contact.pk}/").content.decode()
    assert 'data-testid="email-tracking"' in timeline


def test_untracked_mail_and_a_workspace_without_tracking_send_plain_mail(
    alpha: TenantFixture, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
):
    _send(alpha, django_capture_on_commit_callbacks)  # the writer did not ask for it
    alpha.client().post("/settings/email/", {"logging_address": ""})  # tracking switched off
    contact, _tenant = _send(alpha, django_capture_on_commit_callbacks, track="on")

    assert all("/mail/p/" not in message.as_string() for message in smtp_server.messages)
    assert len(smtp_server.messages) == 2
    with alpha.active():
        assert not MailMessage.objects.filter(tracked=True).exists()
    assert 'name="track"' not in alpha.client(REP_EMAIL).get(f"/mail/compose/contact/{contact.pk}/").content.decode()
