"""The demo tenant's service desk: two queues with agents and about forty cases in every status
category, with conversations, dated over the last 60 days."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Min
from django.utils import timezone

from identity.models import Team
from modules.contacts.choices import TimelineKind
from modules.contacts.demo.seed import load_demo_data
from modules.contacts.models import TimelineEntry
from modules.service.choices import MessageAuthor, MessageKind, StatusCategory
from modules.service.demo import AGENTS, CASE_COUNT
from modules.service.models import Case, CaseMessage
from tests.tenancy import TenantFixture


def test_the_demo_has_queues_agents_and_cases_in_every_status_category(alpha: TenantFixture) -> None:
    with alpha.active():
        load_demo_data()
        now = timezone.now()
        support, billing = Team.objects.get(name="Support"), Team.objects.get(name="Billing")
        cases = Case.objects.select_related("status", "contact", "company")
        messages = CaseMessage.objects.all()

        assert support.members.filter(role__key="support_agent").count() == 2
        assert billing.members.filter(role__key="support_agent").count() == 1
        assert len(AGENTS) == 3
        assert cases.count() == CASE_COUNT
        assert set(cases.values_list("team__name", flat=True)) == {"Support", "Billing"}
        assert set(cases.values_list("status__category", flat=True)) == set(StatusCategory.values)
        assert cases.filter(owner__isnull=True).exists()
        assert {(m.kind, m.author_kind) for m in messages} == {
            (MessageKind.REPLY, MessageAuthor.CUSTOMER),
            (MessageKind.REPLY, MessageAuthor.AGENT),
            (MessageKind.NOTE, MessageAuthor.AGENT),
        }
        assert not cases.filter(created_at__lt=now - timedelta(days=61)).exists()
        assert not cases.filter(updated_at__gt=now).exists()
        assert not messages.filter(created_at__gt=now).exists()
        assert not messages.filter(created_at__lt=F("case__created_at")).exists()
        assert not cases.filter(created_at__lt=F("contact__created_at")).exists()
        assert not cases.filter(created_at__lt=F("company__created_at")).exists()
        assert not cases.filter(status__category=StatusCategory.SOLVED, solved_at__isnull=True).exists()
        assert not cases.filter(status__category=StatusCategory.CLOSED, closed_at__isnull=True).exists()
        assert not cases.exclude(status__category__in=["solved", "closed"]).filter(solved_at__isnull=False).exists()
        replied = cases.filter(messages__author_kind=MessageAuthor.AGENT, messages__kind=MessageKind.REPLY)
        assert not replied.filter(first_response_at__isnull=True).exists()
        entries = TimelineEntry.objects.filter(kind=TimelineKind.CASE)
        assert entries.values("data__case").distinct().count() == CASE_COUNT
        assert not entries.filter(occurred_at__gt=now).exists()
        for model in ("contact", "company"):
            early = entries.annotate(first=Min(f"{model}__created_at")).filter(occurred_at__lt=F("first"))
            assert not early.exists(), model
        case = cases.filter(status__category=StatusCategory.OPEN).order_by("pk").first()

    client = alpha.client()
    listed = client.get("/cases/?status_category=active")
    page = client.get(f"/cases/{case.pk}/")
    assert listed.status_code == 200
    assert len(listed.context["rows"]) > 10
    assert page.status_code == 200
    assert 'data-kind="note"' in page.content.decode()
