"""SLA warnings and breaches as workflow triggers: rules on cases start from the outbox events the
SLA sweep announces (``services.alerts``), e.g. to escalate a case or tell a team lead."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from customization.fields.choices import Entity
from customization.workflows.registry import WorkflowTrigger, register_trigger


def register_sla_triggers() -> None:
    register_trigger(
        WorkflowTrigger(
            key="case_sla_warning", label=_("Case: an SLA target is due soon"), event="case.sla_warning",
            entities=(Entity.CASE,),
        )
    )  # fmt: skip
    register_trigger(
        WorkflowTrigger(
            key="case_sla_breached", label=_("Case: an SLA target was missed"), event="case.sla_breached",
            entities=(Entity.CASE,),
        )
    )  # fmt: skip
