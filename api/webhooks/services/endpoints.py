"""Endpoints: create, change, delete, switch on and off, rotate their secrets.

A URL is checked when it is saved (and when an endpoint is switched back on): http(s) only, and
its host must resolve to public addresses only (no loopback, private, link-local or reserved
address). The same check runs again before every request, since DNS answers change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from api.webhooks.choices import DeliveryState, DisabledReason
from api.webhooks.event_types import known_event_types, record_type_choices
from api.webhooks.models import Delivery, EndpointSecret, WebhookEndpoint
from api.webhooks.notices import send_disabled_notice
from api.webhooks.policy import ROTATION_OVERLAP
from api.webhooks.signing import new_secret
from customization import outbound_http
from customization.fields.choices import Entity
from customization.workflows.record_fields import field_catalog
from identity.models import User
from identity.services.audit import audit

MAX_FIELDS_PER_ENTITY = 50
_url_validator = URLValidator(schemes=["http", "https"])


def clean_url(url: str) -> str:
    """``url`` stripped, if it is an http(s) URL whose host resolves to public addresses only."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": [_("Enter the URL to send events to.")]})
    if len(url) > 2000:
        raise ValidationError({"url": [_("The URL may have at most 2000 characters.")]})
    try:
        _url_validator(url)
    except ValidationError as error:
        raise ValidationError({"url": [_("Enter a valid http:// or https:// URL.")]}) from error
    try:
        outbound_http.check_destination(url)
    except outbound_http.OutboundError as error:
        raise ValidationError({"url": [str(error)]}) from error
    return url


def clean_filters(
    event_types: Iterable[str], entities: Iterable[str], changed_fields: Mapping[str, Iterable[str]] | None
) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """The filters, validated and normalised (sorted, without duplicates); errors name the filter."""
    types = sorted({str(value) for value in event_types})
    unknown = [value for value in types if value not in known_event_types()]
    if unknown:
        raise ValidationError({"event_types": [_("Unknown event type: %(type)s.") % {"type": unknown[0]}]})
    kinds = sorted({str(value) for value in entities})
    unknown = [value for value in kinds if value not in dict(record_type_choices())]
    if unknown:
        raise ValidationError({"entities": [_("Unknown record type: %(entity)s.") % {"entity": unknown[0]}]})
    fields: dict[str, list[str]] = {}
    for entity, paths in (changed_fields or {}).items():
        if entity not in Entity.values:
            raise ValidationError({"changed_fields": [_("Unknown record type: %(entity)s.") % {"entity": entity}]})
        if isinstance(paths, str) or not isinstance(paths, Iterable):
            raise ValidationError({"changed_fields": [_("List the fields of each record type.")]})
        wanted = sorted({str(path) for path in paths})
        if len(wanted) > MAX_FIELDS_PER_ENTITY:
            message = _("Pick at most %(count)s fields.") % {"count": MAX_FIELDS_PER_ENTITY}
            raise ValidationError({"changed_fields": [message]})
        valid = {info.path for info in field_catalog(entity)}
        wrong = [path for path in wanted if path not in valid]
        if wrong:
            raise ValidationError(
                {"changed_fields": [_("%(entity)s has no field %(field)s.") % {"entity": entity, "field": wrong[0]}]}
            )
        if wanted:
            fields[entity] = wanted
    return types, kinds, fields


def create_endpoint(
    *,
    url: str,
    description: str = "",
    event_types: Iterable[str] = (),
    entities: Iterable[str] = (),
    changed_fields: Mapping[str, Iterable[str]] | None = None,
    by: User | None,
) -> WebhookEndpoint:
    """A new, enabled endpoint with its first signing secret."""
    url = clean_url(url)
    types, kinds, fields = clean_filters(event_types, entities, changed_fields)
    endpoint = WebhookEndpoint(
        url=url, description=description.strip(), event_types=types, entities=kinds, changed_fields=fields,
        created_by=by,
    )  # fmt: skip
    endpoint.full_clean(exclude=["created_by"])
    with transaction.atomic():
        endpoint.save()
        EndpointSecret.objects.create(endpoint=endpoint, secret=new_secret())
        _audit(endpoint, "webhook.created", _("Webhook endpoint %(url)s created."), by=by)
    return endpoint


def _audit(endpoint: WebhookEndpoint, action: str, summary: str, *, by: User | None = None, **extra: Any) -> None:
    audit(
        action,
        summary % {"url": endpoint.url, **extra},
        by=by,
        system="webhooks",
        target=f"webhook:{endpoint.pk}",
        details={"url": endpoint.url, **extra},
    )


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str,
    description: str = "",
    event_types: Iterable[str] = (),
    entities: Iterable[str] = (),
    changed_fields: Mapping[str, Iterable[str]] | None = None,
) -> WebhookEndpoint:
    """Change the URL, description and filters; deliveries already made keep their payloads."""
    url = clean_url(url)
    types, kinds, fields = clean_filters(event_types, entities, changed_fields)
    endpoint.url, endpoint.description = url, description.strip()
    endpoint.event_types, endpoint.entities, endpoint.changed_fields = types, kinds, fields
    endpoint.full_clean(exclude=["created_by"])
    with transaction.atomic():
        endpoint.save(update_fields=["url", "description", "event_types", "entities", "changed_fields", "updated_at"])
        _audit(endpoint, "webhook.updated", _("Webhook endpoint %(url)s changed."))
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint with its secrets and delivery log."""
    with transaction.atomic():
        _audit(endpoint, "webhook.deleted", _("Webhook endpoint %(url)s deleted."))
        endpoint.delete()


def enable_endpoint(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Switch a disabled endpoint back on (its URL is checked again); the failure count restarts."""
    clean_url(endpoint.url)
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_enabled=True, disabled_reason="", disabled_detail="", disabled_at=None, failing_since=None,
            consecutive_failures=0, updated_at=timezone.now(),
        )  # fmt: skip
        _audit(endpoint, "webhook.enabled", _("Webhook endpoint %(url)s enabled."))
    endpoint.refresh_from_db()
    return endpoint


def disable_endpoint(endpoint: WebhookEndpoint, *, reason: str, detail: str = "", now: datetime | None = None) -> bool:
    """Stop deliveries to ``endpoint``: its pending ones fail. Returns False if it was off already.

    When the platform (not an admin) disables it, the tenant's admins are told by e-mail after
    commit. The caller may hold the transaction; this opens its own otherwise."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_enabled=True).update(
            is_enabled=False, disabled_reason=reason, disabled_detail=detail[:500], disabled_at=now, updated_at=now
        )
        if not changed:
            return False
        Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED, finished_at=now, next_attempt_at=None, lease_until=None,
            last_error=_("The endpoint was disabled."),
        )  # fmt: skip
        _audit(
            endpoint,
            "webhook.disabled",
            _("Webhook endpoint %(url)s disabled (%(reason)s)."),
            reason=str(DisabledReason(reason).label),
        )
        if reason != DisabledReason.MANUAL:
            transaction.on_commit(partial(send_disabled_notice, endpoint.pk), robust=True)
    endpoint.is_enabled, endpoint.disabled_reason, endpoint.disabled_detail = False, reason, detail[:500]
    endpoint.disabled_at = now
    return True


def rotate_secret(endpoint: WebhookEndpoint, *, overlap: timedelta = ROTATION_OVERLAP) -> EndpointSecret:
    """A new current secret; the ones it replaces keep signing for ``overlap`` (zero: stop now)."""
    now = timezone.now()
    with transaction.atomic():
        WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
        secrets = EndpointSecret.objects.filter(endpoint=endpoint)
        secrets.filter(expires_at__lte=now).delete()
        if overlap > timedelta(0):
            until = now + overlap
            secrets.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=until)).update(expires_at=until)
        else:
            secrets.delete()
        _audit(endpoint, "webhook.secret_rotated", _("Webhook endpoint %(url)s got a new signing secret."))
        return EndpointSecret.objects.create(endpoint=endpoint, secret=new_secret())


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a request sent at ``now``, newest first."""
    return list(
        EndpointSecret.objects.filter(endpoint=endpoint)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-id")
        .values_list("secret", flat=True)
    )


def endpoint_form_values(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """The endpoint's values as the create/update services take them."""
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "entities": list(endpoint.entities),
        "changed_fields": dict(endpoint.changed_fields),
    }
