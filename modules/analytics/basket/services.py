"""Changing the basket analysis's thresholds: validated, audited, and the rules mined again with them."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from identity.models import User
from identity.services.audit import audit
from modules.analytics.basket.mining import basket_settings
from modules.analytics.basket.models import BasketSettings
from modules.analytics.basket.tasks import KEY
from modules.analytics.refresh.services import refresh_soon
from modules.contacts.services.records import validated


def update_basket_settings(
    *, by: User | None, min_support_percent: Decimal, min_confidence_percent: Decimal
) -> BasketSettings:
    """New thresholds (errors name the field); the rules are mined again once they are committed."""
    with transaction.atomic():
        settings = BasketSettings.objects.select_for_update().get(pk=basket_settings().pk)
        previous = (settings.min_support_percent, settings.min_confidence_percent)
        settings.min_support_percent = min_support_percent
        settings.min_confidence_percent = min_confidence_percent
        validated(settings)
        settings.save(update_fields=["min_support_percent", "min_confidence_percent"])
        audit(
            "analytics.basket_settings",
            _("Basket analysis thresholds: support %(support)s %%, confidence %(confidence)s %%.")
            % {"support": min_support_percent, "confidence": min_confidence_percent},
            by=by,
            target="analytics:basket",
            details={
                "from": [str(value) for value in previous],
                "to": [str(min_support_percent), str(min_confidence_percent)],
            },
        )
        refresh_soon(KEY)
    return settings
