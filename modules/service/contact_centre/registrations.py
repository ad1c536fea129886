"""What the contact centre adds to the rest of the platform, registered from ``AppConfig.ready()``:
the case hook (SMS on case events, the CSAT survey on solving), the case page's panels, the CSAT
dashboard widget and the page incoming-call notifications open."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from modules.activities.models.notification import register_notification_target
from modules.analytics.dashboards.widgets import Display, SharedFilter, WidgetKind, register_widget
from modules.service.contact_centre.services.calls import CALL_ENTITY
from modules.service.contact_centre.widgets import compute_csat
from modules.service.hooks import CaseChange, register_case_hook
from modules.service.panels import CasePanel, register_case_panel


def on_case_change(case: Any, change: CaseChange) -> None:
    from modules.service.contact_centre.services.csat import ask_when_solved
    from modules.service.contact_centre.services.sms import queue_case_sms

    if change.action == "deleted":
        return
    queue_case_sms(case, change)
    ask_when_solved(case, change)


def _csat_panel(request: Any, case: Any) -> dict[str, Any] | None:
    surveys = list(case.csat_surveys.order_by("-created_at", "-id")[:5])
    return {"surveys": surveys} if surveys else None


def _call_panel(request: Any, case: Any) -> dict[str, Any] | None:
    """The case's contact's numbers to call, only when the user may open that contact: a case
    visible to an agent does not reveal a contact the agent's role does not show."""
    from modules.record_access import page_access

    contact = case.contact
    if contact is None or not (contact.phone or contact.additional_phones):
        return None
    if not page_access(request).may_see(contact):
        return None
    return {"contact": contact}


def register() -> None:
    register_case_hook("contact_centre", on_case_change)
    register_case_panel(
        CasePanel(key="csat", template="service_contact_centre/panels/csat.html", place="sidebar", position=80,
                  context=_csat_panel)
    )  # fmt: skip
    register_case_panel(
        CasePanel(key="call", template="service_contact_centre/panels/call.html", place="sidebar", position=20,
                  context=_call_panel)
    )  # fmt: skip
    register_widget(
        WidgetKind(
            key="csat", title=_("CSAT"),
            description=_("Share of satisfied answers (4 or 5 of 5) to the survey sent when a case is solved."),
            display=Display.KPI, compute=compute_csat, needs=("service",), permission="service.view_reports",
            filters=frozenset({SharedFilter.PERIOD, SharedFilter.OWNER}), width=3, height=2, order=60,
        )
    )  # fmt: skip
    register_notification_target(CALL_ENTITY, lambda pk: reverse("contact-centre:call-detail", args=[pk]))
