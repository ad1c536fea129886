"""Settings → Custom fields: the fields of each record type (create, edit, order, change type,
archive, restore, delete for good)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from customization.fields.choices import SELECT_TYPES, Entity, FieldType
from customization.fields.conversion import ConversionReport, UnconvertibleValues, change_field_type
from customization.fields.entities import entity_model
from customization.fields.forms import CLEAR_VALUES, ChangeTypeForm, DefinitionForm, PurgeForm
from customization.fields.models import CustomFieldDefinition
from customization.fields.services import (
    archive_definition,
    create_definition,
    purge_definition,
    reorder_definitions,
    restore_definition,
    update_definition,
)
from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status

PERMISSION = "settings.manage_fields"
# The types whose form shows extra inputs, for the form's script.
TYPE_GROUPS = {
    "select": sorted(SELECT_TYPES),
    "money": [FieldType.MONEY.value],
    "reference": [FieldType.REFERENCE.value],
    "no_unique": [FieldType.BOOLEAN.value, FieldType.MULTI_SELECT.value, FieldType.LONG_TEXT.value],
    "no_default": [FieldType.USER.value, FieldType.REFERENCE.value],
}


def _entity(value: str | None) -> str:
    if not value:
        return Entity.COMPANY.value
    if value not in Entity.values:
        raise Http404(_("Unknown record type."))
    return value


def _list_url(entity: str) -> str:
    return f"{reverse('custom-fields:list')}?entity={entity}"


def _form_context(form: DefinitionForm | ChangeTypeForm, **extra: Any) -> dict[str, Any]:
    return {"form": form, "option_rows": form.option_rows, "type_groups": TYPE_GROUPS, **extra}


@permission_required(PERMISSION)
def field_list(request: HttpRequest) -> HttpResponse:
    entity = _entity(request.GET.get("entity"))
    counts = dict(
        CustomFieldDefinition.objects.values_list("entity")
        .annotate(n=Count("pk", filter=Q(archived_at__isnull=True)))
        .values_list("entity", "n")
    )
    definitions = list(CustomFieldDefinition.objects.filter(entity=entity).order_by("position", "id"))
    return render(
        request,
        "customization/fields/list.html",
        {
            "entity": entity,
            "entity_label": Entity(entity).label,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in Entity.choices],
            "active": [definition for definition in definitions if not definition.is_archived],
            "archived": [definition for definition in definitions if definition.is_archived],
        },
    )


@permission_required(PERMISSION)
def field_create(request: HttpRequest) -> HttpResponse:
    entity = _entity(request.GET.get("entity") or request.POST.get("entity"))
    form = DefinitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            definition = create_definition(by=signed_in_user(request), entity=entity, **form.service_arguments())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The field %(label)s is added.") % {"label": definition.label})
            return redirect(_list_url(entity))
    context = _form_context(form, entity=entity, entity_label=Entity(entity).label, definition=None)
    return render(request, "customization/fields/form.html", context, status=form_status(form))


@permission_required(PERMISSION)
def field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(CustomFieldDefinition, pk=pk)
    form = DefinitionForm(request.POST or None, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            update_definition(definition, by=signed_in_user(request), **form.service_arguments())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The field %(label)s is saved.") % {"label": form.cleaned_data["label"]})
            return redirect(_list_url(definition.entity))
    context = _form_context(
        form,
        entity=definition.entity,
        entity_label=Entity(definition.entity).label,
        definition=definition,
        clear_values=CLEAR_VALUES,
        asks_replacement="options" in form.errors or "replace_removed_with" in form.errors,
    )
    return render(request, "customization/fields/form.html", context, status=form_status(form))


@permission_required(PERMISSION)
def field_change_type(request: HttpRequest, pk: int) -> HttpResponse:
    """A dry run first shows what converts; the confirmation applies it."""
    definition = get_object_or_404(CustomFieldDefinition, pk=pk)
    form = ChangeTypeForm(request.POST or None, definition=definition)
    report: ConversionReport | None = None
    confirming = request.POST.get("action") == "apply"
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            report = change_field_type(
                definition, arguments.pop("new_type"), by=signed_in_user(request), dry_run=not confirming, **arguments
            )
        except UnconvertibleValues as error:
            report = error.report
            form.add_error(None, error.messages)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if report.applied:
                messages.success(
                    request,
                    _("%(label)s is now of type %(type)s.")
                    % {"label": definition.label, "type": report.new_type_label},
                )
                return redirect(_list_url(definition.entity))
    context = _form_context(form, definition=definition, report=report)
    return render(request, "customization/fields/change_type.html", context, status=form_status(form))


@permission_required(PERMISSION)
@require_POST
def field_archive(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(CustomFieldDefinition, pk=pk)
    archive_definition(definition, by=signed_in_user(request))
    messages.success(
        request, _("%(label)s is archived; its values are kept until you delete it.") % {"label": definition.label}
    )
    return redirect(_list_url(definition.entity))


@permission_required(PERMISSION)
@require_POST
def field_restore(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(CustomFieldDefinition, pk=pk)
    try:
        restore_definition(definition, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(label)s is restored.") % {"label": definition.label})
    return redirect(_list_url(definition.entity))


@permission_required(PERMISSION)
def field_purge(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(CustomFieldDefinition, pk=pk, archived_at__isnull=False)
    form = PurgeForm(request.POST or None, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            cleared = purge_definition(definition, by=signed_in_user(request))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(label)s is deleted with its value on %(count)d record.",
                    "%(label)s is deleted with its values on %(count)d records.",
                    cleared,
                )
                % {"label": definition.label, "count": cleared},
            )
            return redirect(_list_url(definition.entity))
    holders = entity_model(definition.entity)._default_manager.filter(custom__has_key=definition.key).count()
    context = {
        "form": form,
        "definition": definition,
        "entity_label": Entity(definition.entity).label,
        "holders": holders,
    }
    return render(request, "customization/fields/purge.html", context, status=form_status(form))


def _reorder(request: HttpRequest, entity: str, order: list[str]) -> HttpResponse:
    fetch = request.headers.get("X-Requested-With") == "fetch"
    try:
        reorder_definitions(entity, order, by=signed_in_user(request))
    except ValidationError as error:
        if fetch:
            return JsonResponse({"errors": error.message_dict}, status=400)
        messages.error(request, " ".join(error.messages))
        return redirect(_list_url(entity))
    if fetch:
        return JsonResponse({"order": [int(pk) for pk in order]})
    return redirect(_list_url(entity))


@permission_required(PERMISSION)
@require_POST
def field_reorder(request: HttpRequest, entity: str) -> HttpResponse:
    return _reorder(request, _entity(entity), request.POST.getlist("order"))


@permission_required(PERMISSION)
@require_POST
def field_move(request: HttpRequest, pk: int) -> HttpResponse:
    """The buttons' way to reorder: swap with the neighbour above or below."""
    definition = get_object_or_404(CustomFieldDefinition, pk=pk, archived_at__isnull=True)
    ids = list(
        CustomFieldDefinition.objects.filter(entity=definition.entity, archived_at__isnull=True)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    index = ids.index(definition.pk)
    other = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return _reorder(request, definition.entity, [str(pk) for pk in ids])
