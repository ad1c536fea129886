"""A form as a visitor sees it, in the form's language: the hosted page renders it, the embed script
receives it as JSON. One description, so both show the same inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from modules.marketing.models import Topic
from modules.marketing.webforms.catalogue import catalogue
from modules.marketing.webforms.models import WebForm


def _text(texts: Mapping[str, str] | None, language: str, fallback: str = "") -> str:
    texts = texts or {}
    return texts.get(language) or texts.get(language.split("-")[0]) or texts.get("en") or fallback


def inputs(
    form: WebForm, *, values: Mapping[str, Any] | None = None, errors: Mapping[str, list[str]] | None = None
) -> list[dict[str, Any]]:
    """The form's inputs in order with their labels in the form's language (call it under that
    language), the visitor's values and the errors on each."""
    values, errors = values or {}, errors or {}
    available = catalogue(form.creates)
    shown: list[dict[str, Any]] = []
    for position, entry in enumerate(form.fields):
        spec = available.get(entry["field"])
        if spec is None:  # a custom field archived after the form was built
            continue
        value = values.get(entry["field"], "")
        shown.append({
            "name": entry["field"], "id": f"rf-{position}", "type": entry["type"], "required": entry["required"],
            "label": _text(entry.get("label"), form.language, str(spec.label)),
            "help": _text(entry.get("help"), form.language), "max_length": spec.max_length,
            "options": [{"value": option, "label": label} for option, label in spec.options],
            "value": value if isinstance(value, str) else "", "errors": list(errors.get(entry["field"], [])),
        })  # fmt: skip
    return shown


def consent_boxes(form: WebForm, *, ticked: set[str] | None = None) -> list[dict[str, Any]]:
    topics = {topic.pk: topic for topic in Topic.objects.filter(pk__in=[entry["topic"] for entry in form.consents])}
    boxes = []
    for entry in form.consents:
        topic = topics.get(entry["topic"])
        if topic is None or not topic.is_active:
            continue
        name = f"consent_{topic.pk}"
        label = _text(entry.get("label"), form.language) or _("Send me %(topic)s by e-mail.") % {"topic": topic.name}
        boxes.append({"name": name, "id": f"rc-{topic.pk}", "label": label, "checked": name in (ticked or set())})
    return boxes


def thank_you(form: WebForm) -> str:
    return form.thank_you_message or _("Thank you! We have received your message.")


def submit_label(form: WebForm) -> str:
    return form.submit_label or _("Send")
