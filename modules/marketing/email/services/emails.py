"""Marketing e-mails' content and settings: create, change (drafts only), delete, and the reusable
templates they are saved as or started from. Every write checks the blocks (``blocks.clean_blocks``:
https images, bounded sizes, sanitised rich text) and the merge fields (an unknown one is refused,
named) the same way, whichever page or API called."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.services.records import validated
from modules.marketing.choices import EmailStatus
from modules.marketing.email.blocks import clean_blocks, texts_of
from modules.marketing.email.merge import check_fields
from modules.marketing.email.models import EmailTemplate
from modules.marketing.models import MarketingEmail

FIELDS = (
    "name", "campaign", "segment", "topic", "subject", "preheader", "from_name", "from_address", "reply_to",
    "content", "subject_b", "ab_percent", "ab_wait_hours", "track_opens", "track_clicks",
)  # fmt: skip


def _check(email: MarketingEmail, values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    email.content = clean_blocks(email.content if email.content is not None else [])
    for name in ("from_address", "reply_to"):
        setattr(email, name, (getattr(email, name) or "").strip().lower())
    check_fields(
        {
            "subject": [email.subject or ""], "subject_b": [email.subject_b or ""],
            "preheader": [email.preheader or ""], "content": list(texts_of(email.content)),
        }
    )  # fmt: skip
    if (email.ab_percent or 0) > 0 and not (email.subject_b or "").strip():
        raise ValidationError({"subject_b": [_("Enter the second subject of the A/B test.")]})
    validated(email)


def create_email(*, by: User | None, **values: Any) -> MarketingEmail:
    email = MarketingEmail(**{name: value for name, value in values.items() if name in FIELDS})
    with transaction.atomic():
        _check(email, values)
        email.created_by = by
        email.save()
    return email


def update_email(email: MarketingEmail, *, by: User | None, **values: Any) -> MarketingEmail:
    """Change a draft; an e-mail that is scheduled, sending or sent keeps what went out."""
    with transaction.atomic():
        locked = MarketingEmail.objects.select_for_update().get(pk=email.pk)
        if locked.status != EmailStatus.DRAFT:
            raise ValidationError({"status": [_("Only a draft can be changed.")]})
        for name, value in values.items():
            if name in FIELDS:
                setattr(locked, name, value)
        _check(locked, values)
        locked.save()
    return locked


def delete_email(email: MarketingEmail, *, by: User | None) -> None:
    with transaction.atomic():
        locked = MarketingEmail.objects.select_for_update().get(pk=email.pk)
        if locked.status != EmailStatus.DRAFT:
            raise ValidationError({"status": [_("Only a draft can be deleted.")]})
        locked.delete()


def save_as_template(email: MarketingEmail, *, name: str, by: User | None) -> EmailTemplate:
    template = EmailTemplate(name=(name or "").strip(), content=email.content, preheader=email.preheader, created_by=by)
    with transaction.atomic():
        template.content = clean_blocks(template.content)
        if EmailTemplate.objects.filter(name=template.name).exists():
            raise ValidationError({"name": [_("A template with this name exists already.")]})
        validated(template)
        template.save()
    return template


def create_from_template(template: EmailTemplate, *, by: User | None, **values: Any) -> MarketingEmail:
    values = {**values, "content": template.content, "preheader": values.get("preheader") or template.preheader}
    return create_email(by=by, **values)


def delete_template(template: EmailTemplate, *, by: User | None) -> None:
    template.delete()
