"""Writes of the deal list: bulk actions on selected deals (all or nothing) and saved views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.choices import SavedViewEntity
from modules.contacts.models import SavedView
from modules.sales.models import Deal, Stage
from modules.sales.services.deals import delete_deal, move_deal_to_stage, update_deal


class BulkFailure(ValidationError):
    """Some deals refused the change; ``failures`` maps each to its messages and nothing was changed."""

    def __init__(self, failures: dict[Deal, list[str]]) -> None:
        names = "; ".join(f"{deal.name}: {' '.join(messages)}" for deal, messages in failures.items())
        super().__init__(_("Nothing was changed. These deals failed: %(names)s") % {"names": names})
        self.failures = failures


def _run(deals: Iterable[Deal], change: Any) -> int:
    failures: dict[Deal, list[str]] = {}
    count = 0
    with transaction.atomic():
        for deal in deals:
            try:
                with transaction.atomic():
                    change(deal)
            except ValidationError as error:
                failures[deal] = error.messages
            else:
                count += 1
        if failures:
            transaction.set_rollback(True)
    if failures:
        raise BulkFailure(failures)
    return count


def bulk_assign_owner(deals: Iterable[Deal], owner: User | None, *, by: User) -> int:
    return _run(deals, lambda deal: update_deal(deal, by=by, owner=owner))


def bulk_move_to_stage(deals: Iterable[Deal], stage: Stage, *, by: User) -> int:
    """Move every deal into ``stage``; if any lacks what the stage requires, none moves."""
    return _run(deals, lambda deal: move_deal_to_stage(deal, stage, by=by))


def bulk_delete(deals: Iterable[Deal], *, by: User) -> int:
    return _run(deals, lambda deal: delete_deal(deal, by=by))


def save_deal_view(*, owner: User, name: str, query: dict[str, Any], is_shared: bool = False) -> SavedView:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": [_("Name the view.")]})
    view = SavedView(owner=owner, entity=SavedViewEntity.DEAL, name=name, query=query, is_shared=is_shared)
    view.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        raise ValidationError({"name": [_("You already have a view with this name.")]}) from None
    return view


def delete_saved_view(view: SavedView, *, by: User) -> None:
    if view.owner_id != by.pk:
        raise ValidationError(_("Only its owner can delete a view."))
    view.delete()
