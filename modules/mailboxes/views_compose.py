"""Writing an e-mail on a contact, company, lead or deal: the form (recipients filled from the
record, a workflow template to start from, files, an optional send time in the user's zone) and
its submission through ``services.compose``. Only records the user may see are found (else 404);
writing needs ``activities.change``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customization.workflows.models import EmailTemplate
from identity.decorators import permission_required
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.models import Company, Contact
from modules.mailboxes.services.compose import Draft, compose, split_addresses
from modules.sales.models import Deal, Lead

RECORDS: dict[str, type[models.Model]] = {"contact": Contact, "company": Company, "lead": Lead, "deal": Deal}
DETAIL_PAGES = {
    "contact": "contacts:contact-detail",
    "company": "contacts:company-detail",
    "lead": "sales:lead-detail",
    "deal": "sales:deal-detail",
}


def _record(user: User, entity: str, pk: int) -> models.Model:
    model = RECORDS.get(entity)
    if model is None:
        raise Http404
    record = restrict_to_visible(model._default_manager.all(), user).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def _default_to(record: models.Model) -> str:
    return str(getattr(record, "email", "") or "")


def _send_at(value: str, user: User) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({"send_at": [_("Enter a date and time.")]}) from None
    if timezone.is_naive(moment):
        zone = getattr(user, "time_zone", "") or timezone.get_current_timezone_name()
        try:
            moment = moment.replace(tzinfo=ZoneInfo(zone))
        except (KeyError, ValueError):
            moment = timezone.make_aware(moment)
    return moment


def _template_id(value: str) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({"template": [_("Choose one of the templates.")]}) from None


@permission_required("activities.change")
def compose_view(request: HttpRequest, entity: str, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    record = _record(user, entity, pk)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "to": _default_to(record),
        "cc": "",
        "subject": "",
        "body": "",
        "template": "",
        "send_at": "",
    }
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        try:
            draft = Draft(
                to=split_addresses(values["to"]), cc=split_addresses(values["cc"]), subject=values["subject"],
                body=values["body"], template_id=_template_id(values["template"]),
                send_at=_send_at(values["send_at"], user), files=request.FILES.getlist("attachments"),
            )  # fmt: skip
            message = compose(record, entity, draft, by=user)
        except ValidationError as error:
            errors = error.message_dict
            status = 400
        else:
            if message.send_after is not None:
                messages.success(request, _("Your e-mail is scheduled."))
            else:
                messages.success(request, _("Your e-mail is on its way."))
            return redirect(DETAIL_PAGES[entity], record.pk)
    context = {
        "record": record,
        "record_url": reverse(DETAIL_PAGES[entity], args=[record.pk]),
        "entity": entity,
        "values": values,
        "errors": errors,
        "templates": list(EmailTemplate.objects.order_by("name").values_list("pk", "name")),
    }
    return render(request, "mailboxes/compose.html", context, status=status)
