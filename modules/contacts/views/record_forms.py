"""Company and contact forms: create and edit (with duplicate detection and custom fields)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from customization.fields.form_fields import form_errors
from identity.forms import apply_service_errors, form_status
from identity.models import User
from modules.contacts.choices import LifecycleStage
from modules.contacts.forms import CompanyForm, ContactForm, RecordForm
from modules.contacts.selectors.lists import visible_companies
from modules.contacts.services.duplicates import DuplicateRecords
from modules.contacts.views.common import assignable_owners, contacts_view, current_user
from modules.contacts.views.records import COMPANY, CONTACT, RecordType


def _form(record: RecordType, user: User, data: Any, initial: dict[str, Any]) -> RecordForm:
    owners = assignable_owners(user)
    if record is COMPANY:
        return CompanyForm(data, initial=initial, owners=owners)
    return ContactForm(data, initial=initial, owners=owners, companies=visible_companies(user))


def _initial(instance: Model) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name in RecordForm.base_fields.keys() | CompanyForm.base_fields.keys() | ContactForm.base_fields.keys():
        if name in ("allow_duplicate",) or not hasattr(instance, name):
            continue
        value = getattr(instance, name)
        if name == "tags":
            value = ", ".join(tag.name for tag in instance.tags.all())  # type: ignore[attr-defined]
        elif name in ("additional_emails", "additional_phones"):
            value = ", ".join(value)
        elif name in ("owner", "company"):
            value = value.pk if value else None
        initial[name] = value
    return initial


def record_form(request: HttpRequest, record: RecordType, pk: int | None) -> HttpResponse:
    user = current_user(request)
    instance = get_object_or_404(record.visible(user), pk=pk) if pk is not None else None
    if instance is not None:
        initial = _initial(instance)
    else:
        initial = {"owner": user.pk, "lifecycle_stage": LifecycleStage.LEAD}
        if record is CONTACT and request.GET.get("company", "").isdigit():
            initial["company"] = request.GET["company"]
        if record is CONTACT and request.GET.get("phone"):  # "create a contact" from an unknown caller's call
            initial["phone"] = request.GET["phone"][:40]
    form = _form(record, user, request.POST or None, initial)
    form.add_custom_fields(record.key, user=user, current=instance.custom if instance is not None else None)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            values = {**form.service_values(), "custom": form.custom_values()}
            if instance is None:
                saved = record.create(by=user, allow_duplicate=form.cleaned_data["allow_duplicate"], **values)
            else:
                saved = record.update(instance, by=user, **values)
        except DuplicateRecords as error:
            duplicates = list(error.visible_candidates)
            apply_service_errors(form, error)
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("%(record)s is saved.") % {"record": saved})
            return redirect(record.url("detail", saved.pk))
    form.mark_invalid()  # type: ignore[attr-defined]
    context = {
        "record": record,
        "form": form,
        "object": instance,
        "duplicates": duplicates,
    }
    return render(request, "contacts/record_form.html", context, status=form_status(form))


@contacts_view("contacts.change")
def company_create(request: HttpRequest) -> HttpResponse:
    return record_form(request, COMPANY, None)


@contacts_view("contacts.change")
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return record_form(request, COMPANY, pk)


@contacts_view("contacts.change")
def contact_create(request: HttpRequest) -> HttpResponse:
    return record_form(request, CONTACT, None)


@contacts_view("contacts.change")
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return record_form(request, CONTACT, pk)
