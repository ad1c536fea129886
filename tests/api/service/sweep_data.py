"""The service settings and contact-centre records the API sweeps walk (documented responses): one
of each to read and change, another to delete, and the bodies of the creates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.service.contact_centre.models import Call, CsatSurvey, SmsMessage
from modules.service.desk.models import AssignmentRule
from modules.service.desk.services.assignment import create_rule
from modules.service.desk.services.canned import create_canned_response
from modules.service.portal.models import PortalUser
from modules.service.services.cases import create_case
from modules.service.sla.services.calendars import add_holiday, save_calendar
from modules.service.sla.services.policies import save_policy
from tests.factories import ContactFactory

WEEK = [(0, 540, 1020), (2, 540, 1020)]


# One day counted from for every body: the single create and the bulk one must name different days
# even when the run crosses midnight between importing this module and calling the routes.
_TODAY = timezone.localdate()


def _day(days: int) -> str:
    return (_TODAY + timedelta(days=days)).isoformat()


BODIES = {
    "sla-policies": lambda r: {"name": "Documented API policy",
                               "targets": [{"priority": "urgent", "first_response_minutes": 30}]},
    "business-calendars": lambda r: {"name": "Documented API calendar", "time_zone": "Europe/Paris",
                                     "intervals": [{"weekday": 0, "start_minute": 540, "end_minute": 1020}]},
    "calendar-holidays": lambda r: {"calendar": r["business-calendars"].pk, "date": _day(500), "name": "Documented"},
    "assignment-rules": lambda r: {"name": "Documented rule", "method": "fixed", "agent": r["users"].pk},
    "canned-responses": lambda r: {"title": "Documented reply", "body": "Hello {{ contact.first_name }}",
                                   "shared": True},
    # Each create (single, then bulk) invites a contact not invited yet.
    "portal-users": lambda r: {"contact": r["portal_contacts"].pop().pk, "is_company_admin": False},
}  # fmt: skip
BULK_NAMES = {
    "sla-policies": {"name": "Bulk policy"},
    "business-calendars": {"name": "Bulk calendar"},
    "calendar-holidays": {"date": _day(501)},
    "assignment-rules": {"name": "Bulk rule"},
    "canned-responses": {"title": "Bulk reply"},
}


def every_rule_reversed(records: dict[str, Any]) -> dict[str, Any]:
    """The body of ``assignment-rules/reorder/``: every rule of the tenant, last tried first."""
    with tenant_context(records["service_tenant"]):
        return {"order": list(AssignmentRule.objects.order_by("-position", "-id").values_list("pk", flat=True))}


def service_settings_records(owner: Any) -> dict[str, Any]:
    """The SLA settings, the desk's rules and replies, portal users and contact-centre rows."""
    contact = ContactFactory(owner=owner, email="portal@documented.example")
    case = create_case(by=owner, subject="Documented contact centre", owner=owner, contact=contact)
    answered = timezone.now()
    calendar = save_calendar(None, name="Documented calendar", time_zone="Europe/Berlin", intervals=WEEK)
    return {
        "service_tenant": connection.tenant,
        "sla-policies": save_policy(None, name="Documented policy", targets={"high": (60, 240)}),
        "delete:sla-policies": save_policy(None, name="Deleted policy", targets={"low": (None, 600)}),
        "business-calendars": calendar,
        "delete:business-calendars": save_calendar(None, name="Deleted calendar", time_zone="UTC", intervals=WEEK),
        "calendar-holidays": add_holiday(calendar, day=timezone.localdate() + timedelta(days=300), name="Kept"),
        "delete:calendar-holidays": add_holiday(calendar, day=timezone.localdate() + timedelta(days=301), name="Gone"),
        "assignment-rules": create_rule(name="Documented rule", method="round_robin"),
        "delete:assignment-rules": create_rule(name="Deleted rule", method="least_loaded"),
        "canned-responses": create_canned_response(by=owner, shared=True, title="Kept", body="Hello"),
        "delete:canned-responses": create_canned_response(by=owner, shared=False, title="Gone", body="Bye"),
        "portal-users": PortalUser.objects.create(contact=contact, email=contact.email),
        "portal_contacts": [ContactFactory(owner=owner, email=f"invited{index}@documented.example")
                            for index in range(2)],
        "calls": Call.objects.create(provider_sid="CA-documented", direction="inbound", status="completed",
                                     customer_number="+4930100", workspace_number="+4930200", contact=contact,
                                     agent=owner, duration=42, ended_at=answered),
        "sms-messages": SmsMessage.objects.create(dedupe_key="documented", event="case_opened", case=case,
                                                  contact=contact, to_number="+4930100", body="Opened"),
        "csat-answers": CsatSurvey.objects.create(case=case, contact=contact, agent=owner, email=contact.email,
                                                  token_hash="documented", expires_at=answered, rating=5,
                                                  comment="Quick", answered_at=answered),
    }  # fmt: skip
