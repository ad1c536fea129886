"""Retention periods: what is older than the tenant's period goes in the nightly run, what is
younger or still open stays, a module outside the plan is left alone, and the page checks input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from identity.models import AuditEntry
from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.privacy.models import RetentionRule
from modules.privacy.services import apply_retention, save_rules
from modules.service.choices import MessageAuthor, StatusCategory
from modules.service.models import Case, CaseMessage
from modules.service.services.cases import add_message, update_case
from modules.service.services.statuses import status_for
from tests.factories import ActivityFactory
from tests.service.conftest import make_case
from tests.tenancy import REP_EMAIL, TenantFixture


def _aged(activity: Activity, days: int) -> Activity:
    Activity.objects.filter(pk=activity.pk).update(updated_at=timezone.now() - timedelta(days=days))
    return activity


def test_finished_activities_past_the_period_go_and_the_rest_stay(alpha: TenantFixture) -> None:
    with alpha.active():
        old_done = _aged(ActivityFactory(status=ActivityStatus.DONE), 400)
        old_cancelled = _aged(ActivityFactory(status=ActivityStatus.CANCELLED), 400)
        old_open = _aged(ActivityFactory(status=ActivityStatus.OPEN), 400)
        recent_done = _aged(ActivityFactory(status=ActivityStatus.DONE), 20)
        save_rules(alpha.tenant, {"activities": 12}, by=alpha.user())

        deleted = apply_retention(alpha.tenant)

        assert deleted["activities"] == 2
        remaining = set(
            Activity.objects.filter(
                pk__in=[a.pk for a in (old_done, old_cancelled, old_open, recent_done)]
            ).values_list("pk", flat=True)
        )
        assert remaining == {old_open.pk, recent_done.pk}
        rule = RetentionRule.objects.get(target="activities")
        assert (rule.last_deleted, rule.last_run_at is not None) == (2, True)
        assert AuditEntry.objects.filter(action="privacy.retention_applied").exists()
        assert apply_retention(alpha.tenant)["activities"] == 0


def test_closed_cases_lose_their_conversation_and_keep_the_case(alpha: TenantFixture) -> None:
    old = make_case(alpha, description="The printer is on fire")
    recent = make_case(alpha)
    with alpha.active():
        for case in (old, recent):
            update_case(case, by=alpha.user(), status=status_for(StatusCategory.CLOSED))
        add_message(Case.objects.get(pk=old.pk), by=None, author_kind=MessageAuthor.CUSTOMER, body_text="Old words")
        add_message(Case.objects.get(pk=recent.pk), by=None, author_kind=MessageAuthor.CUSTOMER, body_text="New words")
        Case.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=800))
        save_rules(alpha.tenant, {"closed_case_messages": 24}, by=alpha.user())

        apply_retention(alpha.tenant)

        assert Case.objects.filter(pk=old.pk).exists()
        assert not CaseMessage.objects.filter(case_id=old.pk).exists()
        assert CaseMessage.objects.filter(case_id=recent.pk, body_text="New words").exists()


def test_a_module_outside_the_plan_is_neither_offered_nor_applied(alpha: TenantFixture) -> None:
    with alpha.active():
        modules = list(alpha.tenant.enabled_modules)
        alpha.tenant.enabled_modules = [key for key in modules if key != "service"]
        try:
            with pytest.raises(ValidationError) as refused:
                save_rules(alpha.tenant, {"closed_case_messages": 6}, by=alpha.user())
            assert "closed_case_messages" in refused.value.message_dict
            RetentionRule.objects.create(target="closed_case_messages", months=1)
            assert "closed_case_messages" not in apply_retention(alpha.tenant)
        finally:
            alpha.tenant.enabled_modules = modules


def test_the_page_saves_periods_and_names_a_wrong_one(alpha: TenantFixture) -> None:
    admin = alpha.client()
    page = admin.get("/settings/privacy/retention/")
    assert page.status_code == 200
    assert b'name="activities"' in page.content
    wrong = admin.post("/settings/privacy/retention/", {"activities": "0", "support_mail_log": "x\x00"})
    assert wrong.status_code == 400
    assert wrong.content.count(b"invalid-feedback") == 2
    huge = admin.post("/settings/privacy/retention/", {"activities": "9" * 40})
    assert huge.status_code == 400
    with alpha.active():
        assert not RetentionRule.objects.exists()
    saved = admin.post("/settings/privacy/retention/", {"activities": "18", "support_mail_log": ""})
    assert saved.status_code == 302
    with alpha.active():
        assert dict(RetentionRule.objects.values_list("target", "months")) == {"activities": 18}
        assert AuditEntry.objects.filter(action="privacy.retention_changed").exists()
    cleared = admin.post("/settings/privacy/retention/", {"activities": ""})
    assert cleared.status_code == 302
    with alpha.active():
        assert not RetentionRule.objects.exists()


def test_a_user_without_the_workspace_permission_is_refused(alpha: TenantFixture) -> None:
    rep = alpha.client(REP_EMAIL)
    assert rep.get("/settings/privacy/retention/").status_code == 403
    assert rep.post("/settings/privacy/retention/", {"activities": "1"}).status_code == 403
    with alpha.active():
        assert not RetentionRule.objects.exists()


def test_the_nightly_task_applies_the_current_tenants_rules(alpha: TenantFixture) -> None:
    from modules.privacy.tasks import apply_retention_rules

    with alpha.active():
        old = _aged(ActivityFactory(status=ActivityStatus.DONE), 100)
        save_rules(alpha.tenant, {"activities": 1}, by=alpha.user())
        assert apply_retention_rules() == {"activities": 1}
        assert not Activity.objects.filter(pk=old.pk).exists()


def test_synced_mail_past_the_period_goes_with_its_files_and_emptied_threads(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any
) -> None:
    from modules.collaboration.models.attachment import attachment_storage
    from modules.contacts.choices import TimelineKind
    from modules.contacts.models import TimelineEntry
    from modules.mailboxes.models import MailAttachment, MailMessage, MailThread
    from modules.mailboxes.services.mailboxes import connect_mailbox
    from modules.mailboxes.services.matching import Matcher
    from modules.mailboxes.services.store_batch import WrittenFiles, store_messages
    from tests.factories import ContactFactory
    from tests.mailboxes.conftest import OWNER_ADDRESS, message

    with alpha.active():
        contact = ContactFactory(email="ana@acme.example")
        mailbox = connect_mailbox(
            owner=alpha.user(), email=OWNER_ADDRESS, imap_host="imap.mail.example", imap_password="pw"
        )
        old_id, old = message(sender="ana@acme.example", subject="Old", attachment=b"%PDF old")
        _reply_id, reply = message(sender="ana@acme.example", subject="Re: Old", in_reply_to=old_id)
        _lone_id, lone = message(sender="ana@acme.example", subject="Lone")
        stored = store_messages(
            mailbox, [(old, 1), (reply, 2), (lone, 3)], folder=None, direction="in",
            matcher=Matcher(own_addresses=[OWNER_ADDRESS]), files=WrittenFiles(),
        )  # fmt: skip
        first, kept, alone = (item[0] for item in stored)
        assert first is not None
        assert kept is not None
        assert alone is not None
        key = MailAttachment.objects.get(message=first).storage_key
        long_ago = timezone.now() - timedelta(days=800)
        MailMessage.objects.filter(pk__in=[first.pk, alone.pk]).update(date=long_ago)
        save_rules(alpha.tenant, {"synced_mail": 24}, by=alpha.user())

        with django_capture_on_commit_callbacks(execute=True):
            assert apply_retention(alpha.tenant)["synced_mail"] == 2

        assert list(MailMessage.objects.values_list("pk", flat=True)) == [kept.pk]
        assert not attachment_storage().exists(key)
        assert not MailThread.objects.filter(pk=alone.thread_id).exists()
        thread = MailThread.objects.get(pk=kept.thread_id)
        assert thread.message_count == 1
        entries = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact)
        assert [(entry.data["thread"], entry.data["count"]) for entry in entries] == [(thread.pk, 1)]
