"""Web forms: create, change and delete them. Every write checks the definition (fields from the
catalogue, consent topics, https redirect, embed origins) so the public pages never meet a form
they cannot render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.input_bounds import value_problem
from identity.models import User
from identity.services.audit import record_audit
from modules.contacts.services.records import validated
from modules.marketing.models import Topic
from modules.marketing.webforms.catalogue import catalogue
from modules.marketing.webforms.choices import Creates
from modules.marketing.webforms.models import WebForm

MAX_FIELDS = 40
MAX_CONSENTS = 10
MAX_ORIGINS = 20
MAX_LABEL = 200
MAX_HELP = 500
FORM_FIELDS = (
    "name", "key", "creates", "language", "fields", "consents", "on_duplicate", "submit_label",
    "thank_you_message", "redirect_url", "allowed_origins", "campaign", "owner", "captcha", "is_active",
)  # fmt: skip
# Fields that give a lead or a contact its name: a form must ask for one of them.
NAME_FIELDS = {Creates.LEAD: ("first_name", "last_name", "company_name"), Creates.CONTACT: ("first_name", "last_name")}
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def _texts(raw: Any, limit: int) -> dict[str, str] | None:
    """``{language: text}`` with known languages and bounded texts, or None when malformed."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        raw = {"en": raw}
    if not isinstance(raw, dict):
        return None
    texts: dict[str, str] = {}
    for language, text in raw.items():
        if language not in LANGUAGE_CODES or not isinstance(text, str) or len(text) > limit or value_problem(text):
            return None
        if text.strip():
            texts[language] = text.strip()
    return texts


def clean_fields(creates: str, raw: Any) -> list[dict[str, Any]]:
    """The form's inputs checked against the catalogue; an error names its place (``fields[2].type``)."""
    if not isinstance(raw, list) or len(raw) > MAX_FIELDS:
        raise ValidationError({"fields": [_("Give at most %(count)d fields as a list.") % {"count": MAX_FIELDS}]})
    available = catalogue(creates)
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        path = f"fields[{index}]"
        name = entry.get("field") if isinstance(entry, dict) else None
        where = _("Field %(number)d") % {"number": index + 1}
        if not isinstance(entry, dict) or not isinstance(name, str) or name not in available:
            raise ValidationError({f"{path}.field": [_("%(where)s: choose a field from the list.") % {"where": where}]})
        if name in seen:
            raise ValidationError({f"{path}.field": [_("%(where)s: the form asks for it twice.") % {"where": where}]})
        seen.add(name)
        field_type = entry.get("type") or available[name].types[0]
        if field_type not in available[name].types:
            raise ValidationError(
                {f"{path}.type": [_("%(where)s: this field cannot be shown that way.") % {"where": where}]}
            )
        label, help_text = _texts(entry.get("label"), MAX_LABEL), _texts(entry.get("help"), MAX_HELP)
        for key, texts in (("label", label), ("help", help_text)):
            if texts is None:
                raise ValidationError(
                    {f"{path}.{key}": [_("%(where)s: labels and help are texts per language.") % {"where": where}]}
                )
        required = entry.get("required", False)
        if not isinstance(required, bool):
            raise ValidationError({f"{path}.required": [_("%(where)s: required is yes or no.") % {"where": where}]})
        if name == "email":
            required = True  # duplicate handling and consent both rest on the address
        cleaned.append({"field": name, "type": field_type, "required": required, "label": label, "help": help_text})
    if "email" not in seen:
        raise ValidationError({"fields": [_("A form asks for the e-mail address.")]})
    if not seen.intersection(NAME_FIELDS[Creates(creates)]):
        raise ValidationError({"fields": [_("A form asks for a name (first name, last name or company).")]})
    return cleaned


def clean_consents(creates: str, raw: Any) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_CONSENTS:
        raise ValidationError({"consents": [_("Give at most %(count)d consent checkboxes.") % {"count": MAX_CONSENTS}]})
    if raw and creates != Creates.CONTACT:
        # Subscriptions belong to contacts; a lead has none until it is converted.
        raise ValidationError({"consents": [_("Only a form that creates contacts can ask for subscriptions.")]})
    topic_ids = [int(entry["topic"]) for entry in raw if isinstance(entry, dict) and _is_id(entry.get("topic"))]
    known = set(Topic.objects.filter(pk__in=topic_ids).values_list("pk", flat=True))
    cleaned: list[dict[str, Any]] = []
    for index, entry in enumerate(raw):
        path = f"consents[{index}]"
        topic = entry.get("topic") if isinstance(entry, dict) else None
        if not _is_id(topic) or topic not in known or any(item["topic"] == topic for item in cleaned):
            raise ValidationError({f"{path}.topic": [_("Choose each subscription topic once, from the list.")]})
        label = _texts(entry.get("label"), MAX_HELP)
        double_opt_in = entry.get("double_opt_in", True)
        for key, problem in (("label", label is None), ("double_opt_in", not isinstance(double_opt_in, bool))):
            if problem:
                raise ValidationError(
                    {f"{path}.{key}": [_("A checkbox has a text per language and a double opt-in switch.")]}
                )
        cleaned.append({"topic": topic, "label": label, "double_opt_in": double_opt_in})
    return cleaned


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def clean_origin(raw: Any) -> str | None:
    """``scheme://host[:port]`` lower-cased, or None when ``raw`` is not an origin."""
    if not isinstance(raw, str) or len(raw) > 200 or value_problem(raw):
        return None
    try:
        parts = urlsplit(raw.strip().rstrip("/"))
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        return None
    if parts.username or parts.password:
        return None
    return f"{parts.scheme}://{parts.hostname}{f':{port}' if port else ''}".lower()


def clean_origins(raw: Any) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [line for line in raw.split() if line]
    if not isinstance(raw, list) or len(raw) > MAX_ORIGINS:
        raise ValidationError({"allowed_origins": [_("Give at most %(count)d origins.") % {"count": MAX_ORIGINS}]})
    origins: list[str] = []
    for index, entry in enumerate(raw):
        origin = clean_origin(entry)
        if origin is None:
            message = _("“%(origin)s” is not an origin like https://www.example.com.") % {"origin": str(entry)[:80]}
            raise ValidationError({f"allowed_origins[{index}]": [message]})
        if origin not in origins:
            origins.append(origin)
    return origins


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme
    except ValueError:  # an unbalanced IPv6 bracket
        return ""


def _check(form: WebForm) -> None:
    form.fields = clean_fields(form.creates, form.fields)
    form.consents = clean_consents(form.creates, form.consents)
    form.allowed_origins = clean_origins(form.allowed_origins)
    if form.redirect_url and _scheme(form.redirect_url) != "https":
        raise ValidationError({"redirect_url": [_("The thank-you page must be an https:// address.")]})
    validated(form)


def _apply(form: WebForm, values: dict[str, Any]) -> None:
    unknown = set(values) - set(FORM_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    for name, value in values.items():
        setattr(form, name, value)
    if form.creates not in Creates.values:
        raise ValidationError({"creates": [_("Choose a lead or a contact.")]})


def _audit(action: str, form: WebForm, by: User | None) -> None:
    actor = by.email if by is not None else "system"
    record_audit(action, _("Web form “%(name)s”") % {"name": form.name}, actor=actor, target=form.key)


def create_form(*, by: User | None, **values: Any) -> WebForm:
    form = WebForm(created_by=by)
    values.setdefault("fields", [
        {"field": "first_name", "required": False}, {"field": "last_name", "required": True},
        {"field": "email", "required": True},
    ])  # fmt: skip
    _apply(form, values)
    _check(form)
    with transaction.atomic():
        form.save()
        _audit("web_form.created", form, by)
    return form


def update_form(form: WebForm, *, by: User | None, **values: Any) -> WebForm:
    if "key" in values and values["key"] != form.key and form.submissions.exists():
        # Workflow rules and embeds on other sites name the key: it stays once people used the form.
        raise ValidationError({"key": [_("The key cannot change once the form has submissions.")]})
    _apply(form, values)
    _check(form)
    with transaction.atomic():
        form.save()
        _audit("web_form.changed", form, by)
    return form


def delete_form(form: WebForm, *, by: User | None) -> None:
    with transaction.atomic():
        _audit("web_form.deleted", form, by)
        form.delete()
