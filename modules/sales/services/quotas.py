"""Monthly sales quotas per user (base currency)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from identity.models import User
from modules.sales.models import Quota


def quota_field(user_id: int, month: dt.date) -> str:
    """The form field name of one user's quota for one month."""
    return f"quota-{user_id}-{month:%Y-%m}"


def set_quotas(amounts: Mapping[tuple[User, dt.date], Decimal | None]) -> int:
    """Set each (user, first day of month) quota; None removes it. All or nothing; returns rows changed."""
    errors: dict[str, list[str]] = {}
    for (user, month), amount in amounts.items():
        if month.day != 1:
            errors[quota_field(user.pk, month)] = [_("A quota is set for a whole month.")]
        elif amount is not None and amount < 0:
            errors[quota_field(user.pk, month)] = [_("A quota cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    existing = {
        (quota.user_id, quota.month): quota
        for quota in Quota.objects.filter(
            user__in={user for user, _month in amounts}, month__in={month for _user, month in amounts}
        )
    }
    changed = 0
    with transaction.atomic():
        for (user, month), amount in amounts.items():
            quota = existing.get((user.pk, month))
            if amount is None:
                if quota is not None:
                    quota.delete()
                    changed += 1
            elif quota is None:
                Quota.objects.create(user=user, month=month, amount=amount)
                changed += 1
            elif quota.amount != amount:
                quota.amount = amount
                quota.save(update_fields=["amount"])
                changed += 1
    return changed
