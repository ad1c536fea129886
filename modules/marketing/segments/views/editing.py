"""Segment pages: the list, the rule builder (new and edit), the live count and preview of unsaved
rules, delete and rebuild. Pages stand behind the marketing guard (plan, permissions)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.lists import views as lists
from modules.marketing.choices import SegmentKind
from modules.marketing.guard import marketing_page
from modules.marketing.models import Segment
from modules.marketing.segments import preview, services
from modules.marketing.segments.conditions import fields
from modules.marketing.segments.conditions.registry import registered_conditions
from modules.marketing.segments.forms import MAX_RULES_BYTES, SegmentForm
from modules.marketing.segments.lists import SEGMENTS
from modules.marketing.segments.rules import FIELD_TYPES, MAX_DEPTH, clean_rules


@marketing_page("marketing.view")
@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, SEGMENTS)


@marketing_page("marketing.view", "marketing.change")
@require_POST
def segment_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, SEGMENTS)


@marketing_page("marketing.view")
@require_POST
def segment_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, SEGMENTS)


@marketing_page("marketing.view")
@require_POST
def segment_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, SEGMENTS)


def _choices(pairs: Any) -> list[dict[str, str]]:
    return [{"value": str(value), "label": str(label)} for value, label in pairs]


def builder_config() -> dict[str, Any]:
    """What the builder script offers: the fields of the contact, its company and the lead it was
    converted from, operators per kind of field, and every registered kind of condition with its
    operators and parameters."""
    return {
        "catalogs": {
            kind: [{**info.as_dict(), "label": capfirst(info.label)} for info in fields.catalog(entity).values()]
            for kind, entity in FIELD_TYPES.items()
        },
        "operators": {kind: list(ops) for kind, ops in fields.OPERATORS.items()},
        "operatorLabels": {op: str(label) for op, label in fields.OPERATOR_LABELS.items()},
        "valueless": sorted(fields.VALUELESS),
        "conditions": [
            {
                "key": condition.key,
                "label": str(condition.label),
                "ops": _choices(condition.ops),
                "params": [
                    {
                        "name": param.name,
                        "label": str(param.label),
                        "kind": param.kind,
                        "choices": _choices(param.choices()) if param.choices else [],
                        "ops": list(param.ops),
                        "optional": param.optional,
                    }
                    for param in condition.params
                ],
            }
            for condition in registered_conditions()
        ],
        "types": [
            {"value": "contact", "label": _("Contact field")},
            {"value": "company", "label": _("Company field")},
            {"value": "lead_field", "label": _("Field of the lead it was converted from")},
            *({"value": c.key, "label": str(c.label)} for c in registered_conditions()),
        ],
        "maxDepth": MAX_DEPTH,
        "previewUrl": reverse("marketing-segments:preview"),
        "labels": {"booleans": [{"value": "true", "label": _("Yes")}, {"value": "false", "label": _("No")}]},
    }


def _errors(error: ValidationError) -> dict[str, list[str]]:
    return {key: list(value) for key, value in error.message_dict.items()} if hasattr(error, "error_dict") else {}


def _edit(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    user = signed_in_user(request)
    initial = (
        {"name": segment.name, "description": segment.description, "kind": segment.kind,
         "rules": json.dumps(segment.rules)}
        if segment is not None
        else {"kind": SegmentKind.DYNAMIC, "rules": json.dumps({"match": "all", "conditions": []})}
    )  # fmt: skip
    form = SegmentForm(request.POST or None, initial=initial, editing=segment is not None)
    rule_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if segment is not None:
            values.pop("kind")
        if (segment.kind if segment else values["kind"]) == SegmentKind.STATIC:
            values.pop("rules")
        try:
            if segment is None:
                segment = services.create_segment(by=user, **values)
            else:
                services.update_segment(segment, by=user, **values)
        except ValidationError as error:
            rule_errors = {key: value for key, value in _errors(error).items() if key.startswith("rules")}
            apply_service_errors(
                form, ValidationError({k: v for k, v in _errors(error).items() if k not in rule_errors})
            )
            if rule_errors and not form.errors:
                form.add_error(None, _("Some conditions need attention."))
        else:
            messages.success(request, _("%(segment)s is saved.") % {"segment": segment.name})
            return redirect("marketing-segments:detail", segment.pk)
    context = {"form": form, "segment": segment, "builder_config": builder_config(), "rule_errors": rule_errors}
    return render(request, "marketing/segments/edit.html", context, status=form_status(form))


@marketing_page("marketing.view", "marketing.change")
def segment_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@marketing_page("marketing.view", "marketing.change")
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Segment, pk=pk))


@require_POST
@marketing_page("marketing.view", "marketing.delete")
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    services.delete_segment(segment, by=signed_in_user(request))
    messages.success(request, _("%(segment)s is deleted.") % {"segment": segment.name})
    return redirect("marketing-segments:list")


@require_POST
@marketing_page("marketing.view", "marketing.change")
def segment_rebuild(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk, kind=SegmentKind.DYNAMIC)
    from modules.marketing.segments.tasks import rebuild_segment

    transaction.on_commit(lambda: rebuild_segment.apply_async((segment.pk,), retry=False), robust=True)
    messages.success(request, _("%(segment)s is being evaluated again.") % {"segment": segment.name})
    return redirect("marketing-segments:detail", segment.pk)


@require_POST
@marketing_page("marketing.view")
def segment_preview(request: HttpRequest) -> HttpResponse:
    """The count and the first contacts of unsaved rules (JSON in, JSON out); wrong rules answer
    400 with the errors keyed by path, as a save would."""
    user = signed_in_user(request)
    if preview.over_limit(user):
        return JsonResponse({"errors": {"rules": [_("Too many previews; wait a minute.")]}}, status=429)
    if len(request.body) > MAX_RULES_BYTES:
        return JsonResponse({"errors": {"rules": [_("The rules are too large.")]}}, status=400)
    try:
        raw = json.loads(request.body or b"null")
    except ValueError:
        return JsonResponse({"errors": {"rules": [_("The rules are not readable.")]}}, status=400)
    try:
        rules = clean_rules(raw.get("rules") if isinstance(raw, dict) else raw)
    except ValidationError as error:
        return JsonResponse({"errors": _errors(error)}, status=400)
    count, shown = preview.preview(rules, user)
    return JsonResponse(
        {
            "count": count,
            "contacts": [
                {
                    "name": contact.full_name or contact.email or f"#{contact.pk}",
                    "email": contact.email,
                    "url": reverse("contacts:contact-detail", args=[contact.pk]),
                }
                for contact in shown
            ],
        }
    )
