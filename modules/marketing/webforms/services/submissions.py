"""A visitor's submission, in one transaction: the values checked against the form's fields (custom
fields through ``customization.fields``), the lead or contact created or updated through its own
service, a ``form_submitted`` timeline entry, the ``form.submitted`` outbox event the workflow
trigger listens to, and the ticked subscriptions recorded with the submission as their proof
(``modules.marketing.consent``). Any refusal rolls all of it back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.input_bounds import text_problem, without_control_characters
from customization.events.outbox import emit
from modules.contacts.choices import Source, TimelineKind
from modules.contacts.models import Contact
from modules.contacts.services.contacts import create_contact, update_contact
from modules.contacts.services.timeline import record_entry
from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.services import record_touch
from modules.marketing.consent.choices import ConsentSource
from modules.marketing.consent.services import record_consent, start_double_opt_in
from modules.marketing.models import Campaign, Topic
from modules.marketing.webforms.catalogue import CUSTOM_PREFIX, catalogue
from modules.marketing.webforms.choices import Creates, InputType, OnDuplicate, SubmissionStatus
from modules.marketing.webforms.models import Submission, WebForm
from modules.marketing.webforms.models.submission import UTM_KEYS
from modules.sales.choices import LeadStatus
from modules.sales.models import Lead
from modules.sales.services.leads import create_lead, update_lead

EVENT = "form.submitted"
TRUE_VALUES = frozenset({"on", "true", "1", "yes"})
# utm_medium values and the record source they stand for; anything else came from the website.
MEDIUM_SOURCES = {
    "cpc": Source.ADVERTISING, "ppc": Source.ADVERTISING, "paid": Source.ADVERTISING, "display": Source.ADVERTISING,
    "ads": Source.ADVERTISING, "email": Source.EMAIL_CAMPAIGN, "newsletter": Source.EMAIL_CAMPAIGN,
    "social": Source.SOCIAL, "social-media": Source.SOCIAL, "paid-social": Source.SOCIAL,
    "referral": Source.REFERRAL, "partner": Source.PARTNER, "event": Source.EVENT,
}  # fmt: skip


@dataclass(frozen=True)
class Visit:
    """Where a submission came from: the proof kept with it and the consent."""

    ip_address: str | None = None
    user_agent: str = ""
    referrer: str = ""
    page_url: str = ""
    utm: Mapping[str, str] = field(default_factory=dict)

    def bounded(self) -> dict[str, Any]:
        def text(value: str, limit: int) -> str:
            return without_control_characters(value or "")[:limit]

        values: dict[str, Any] = {
            "ip_address": self.ip_address, "user_agent": text(self.user_agent, 500),
            "referrer": text(self.referrer, 2000), "page_url": text(self.page_url, 2000),
        }  # fmt: skip
        for key in UTM_KEYS:
            values[key] = text(str(self.utm.get(key) or ""), 200)
        return values


def _raw(values: Mapping[str, Any], name: str) -> str | None:
    """The posted value as text; None for what no input sends (an object, a list of lists)."""
    raw = values.get(name, "")
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    if raw is None or isinstance(raw, bool):
        return "true" if raw else ""
    return str(raw) if isinstance(raw, str | int | float) else None


def clean_values(form: WebForm, values: Mapping[str, Any]) -> dict[str, str]:
    """The form's values by field name, as text; raises ``ValidationError`` naming each field."""
    available = catalogue(form.creates)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for entry in form.fields:
        name = entry["field"]
        spec = available.get(name)
        if spec is None:  # a custom field archived since the form was built
            continue
        raw = _raw(values, name)
        if raw is None:
            errors[name] = [_("Enter text.")]
            continue
        if entry["type"] == InputType.CHECKBOX:
            raw = "true" if raw.strip().lower() in TRUE_VALUES else ""
        problem = text_problem(raw)
        if problem:
            errors[name] = [problem]
            continue
        value = raw.strip()
        if len(value) > spec.max_length:
            errors[name] = [_("Use at most %(count)d characters.") % {"count": spec.max_length}]
        elif not value and entry["required"]:
            errors[name] = [_("This field is required.")]
        elif value and entry["type"] == InputType.EMAIL:
            try:
                validate_email(value)
            except ValidationError:
                errors[name] = [_("Enter a valid e-mail address.")]
            else:
                cleaned[name] = value
        elif value and entry["type"] == InputType.SELECT and value not in {option for option, _label in spec.options}:
            errors[name] = [_("Choose one of the options.")]
        elif value:
            cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def ticked_topics(form: WebForm, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The form's consent checkboxes the visitor ticked (inputs ``consent_<topic id>``)."""
    return [
        entry for entry in form.consents if (_raw(values, f"consent_{entry['topic']}") or "").lower() in TRUE_VALUES
    ]


def source_of(utm: Mapping[str, str]) -> str:
    return str(MEDIUM_SOURCES.get(str(utm.get("utm_medium", "")).strip().lower(), Source.WEBSITE))


def _split(values: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {name: value for name, value in values.items() if not name.startswith(CUSTOM_PREFIX)}
    custom = {
        name.removeprefix(CUSTOM_PREFIX): value for name, value in values.items() if name.startswith(CUSTOM_PREFIX)
    }
    if custom:
        record["custom"] = custom
    return record


def _existing(form: WebForm, email: str) -> models.Model | None:
    if form.on_duplicate == OnDuplicate.CREATE or not email:
        return None
    if form.creates == Creates.LEAD:
        # A converted lead is history: the visitor is a new lead (or its contact, for contact forms).
        leads = Lead.objects.exclude(status=LeadStatus.CONVERTED).filter(email__iexact=email)
        return leads.select_for_update().order_by("-created_at", "-id").first()
    return Contact.objects.filter(email__iexact=email).select_for_update().order_by("-created_at", "-id").first()


def _save_record(form: WebForm, values: dict[str, str], utm: Mapping[str, str]) -> tuple[models.Model, str]:
    fields = _split(values)
    existing = _existing(form, values.get("email", ""))
    if existing is not None and form.on_duplicate == OnDuplicate.SKIP:
        return existing, SubmissionStatus.DUPLICATE
    if isinstance(existing, Lead):
        return update_lead(existing, by=None, **fields), SubmissionStatus.ACCEPTED
    if isinstance(existing, Contact):
        return update_contact(existing, by=None, **fields), SubmissionStatus.ACCEPTED
    fields.update(source=source_of(utm), owner=form.owner)
    if form.creates == Creates.LEAD:
        return create_lead(by=None, **fields), SubmissionStatus.ACCEPTED
    return create_contact(by=None, allow_duplicate=True, **fields), SubmissionStatus.ACCEPTED


def _on_form_fields(form: WebForm, error: ValidationError) -> ValidationError:
    """The record service's errors named after the form's inputs: a field the form does not show
    (a lead's missing name) is reported on the form's first input of that kind, else on the form."""
    shown = [entry["field"] for entry in form.fields]
    names = {"last_name": [name for name in shown if name in ("last_name", "first_name", "company_name")]}
    mapped: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        target = name if name in shown else next(iter(names.get(name, [])), "__all__")
        mapped.setdefault(target, []).extend(messages)
    return ValidationError(mapped)


def submit(form: WebForm, values: Mapping[str, Any], *, visit: Visit) -> Submission:
    """Record a visitor's submission of ``form``; raises ``ValidationError`` keyed by the form's
    field names (``email``, ``custom.<key>``) and writes nothing then."""
    cleaned = clean_values(form, values)
    ticked = ticked_topics(form, values)
    meta = visit.bounded()
    utm = {key: meta[key] for key in UTM_KEYS if meta[key]}
    with transaction.atomic():
        try:
            record, status = _save_record(form, cleaned, utm)
        except ValidationError as error:
            raise _on_form_fields(form, error) from error
        entity = Creates.LEAD if isinstance(record, Lead) else Creates.CONTACT
        links: dict[str, Any] = {entity.value: record}
        submission = Submission.objects.create(
            form=form, status=status, data=cleaned, consents=[entry["topic"] for entry in ticked], **links, **meta,
        )  # fmt: skip
        data = {"form": form.key, "id": form.pk, "submission": submission.pk}
        record_entry(TimelineKind.FORM_SUBMITTED, actor=None, data={**data, "name": form.name, "utm": utm}, **links)
        emit(EVENT, record, entity=entity.value, data=data)
        _record_touches(form, record, utm)
        if isinstance(record, Contact) and ticked:
            _record_consents(form, record, submission, ticked)
    return submission


# utm_medium values (as in MEDIUM_SOURCES) and the touch a visit from them is.
MEDIUM_TOUCHES: dict[str, TouchKind] = {
    Source.ADVERTISING: TouchKind.AD_CLICK, Source.EMAIL_CAMPAIGN: TouchKind.EMAIL_CLICK,
}  # fmt: skip


def _record_touches(form: WebForm, record: models.Model, utm: Mapping[str, str]) -> None:
    """The submission as attribution touches of the lead or contact: the form's campaign (a form
    touch), and the campaign ``utm_campaign`` names — by name, ignoring case, when exactly one
    does — as an ad click, an e-mail click or a visit by its ``utm_medium``. One campaign is
    touched once."""
    target: dict[str, Any] = {"lead" if isinstance(record, Lead) else "contact": record}
    touched: set[int] = set()
    if form.campaign_id is not None:
        record_touch(form.campaign_id, kind=TouchKind.FORM, **target)
        touched.add(form.campaign_id)
    name = utm.get("utm_campaign", "").strip()
    if name:
        named = list(Campaign.objects.filter(name__iexact=name).values_list("pk", flat=True)[:2])
        if len(named) == 1 and named[0] not in touched:
            kind = MEDIUM_TOUCHES.get(source_of(utm), TouchKind.VISIT)
            record_touch(named[0], kind=kind, **target)


def _record_consents(form: WebForm, contact: Contact, submission: Submission, ticked: list[dict[str, Any]]) -> None:
    """Each ticked topic, with the submission as its proof: granted at once, or pending until the
    visitor confirms the e-mailed link (double opt-in, sent after the commit)."""
    proof = {
        "form": form.key, "form_id": form.pk, "submission": submission.pk, "ip": submission.ip_address or "",
        "user_agent": submission.user_agent, "page": submission.page_url, "language": form.language,
    }  # fmt: skip
    topics = Topic.objects.filter(pk__in=[entry["topic"] for entry in ticked], is_active=True).in_bulk()
    for entry in ticked:
        topic = topics.get(entry["topic"])
        if topic is None:  # switched off since the page was drawn: nothing to consent to
            continue
        if entry["double_opt_in"]:
            start_double_opt_in(contact, topic, source=ConsentSource.FORM, proof=proof)
        else:
            record_consent(contact, topic, granted=True, source=ConsentSource.FORM, proof=proof)


def record_spam(form: WebForm, values: Mapping[str, Any], *, visit: Visit) -> Submission:
    """Keep a submission that failed the spam checks, without a record: the values the form asks
    for, stripped of what PostgreSQL cannot store and cut to their bounds."""
    available = catalogue(form.creates)
    data = {}
    for entry in form.fields:
        spec = available.get(entry["field"])
        text = without_control_characters(_raw(values, entry["field"]) or "").strip()
        if spec is not None and text:
            data[entry["field"]] = text[: spec.max_length]
    return Submission.objects.create(form=form, status=SubmissionStatus.SPAM, data=data, **visit.bounded())
