"""A detractor's answer opening a service case.

The import-linter contracts let a module use another module's services (only ``customization``
and the lower layers must not import modules); the service module is optional per tenant, so it
is imported here, where it is called, and only for a tenant whose plan has it (the caller checks
``modules.registry.is_enabled``). The case goes through ``create_case``, so it gets its number,
timeline entry, outbox event and the service's hooks (assignment, SLA) like any other case."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from modules.contacts.models import Contact
from modules.marketing.surveys.models import Response, Survey


def open_detractor_case(survey: Survey, response: Response, contact: Contact) -> str:
    from modules.service.choices import CaseChannel, CasePriority
    from modules.service.services.cases import create_case

    texts = [answer for answer in response.answers.select_related("question") if answer.text]
    with translation.override(survey.language):
        subject = _("Detractor in survey “%(survey)s”: score %(score)s") % {
            "survey": survey.name[:120],
            "score": response.score,
        }
        description = "\n\n".join(f"{answer.question.label}\n{answer.text}" for answer in texts)
    case = create_case(
        by=None, subject=subject[:200], description=description, contact=contact,
        channel=CaseChannel.WEB_FORM, priority=CasePriority.HIGH, language=survey.language,
    )  # fmt: skip
    return case.number
