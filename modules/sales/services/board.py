"""The order of cards within a stage of the board, as a user dragged them."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from modules.sales.models import Deal, Stage

MAX_ORDERED_CARDS = 200


def order_stage_cards(stage: Stage, deal_ids: Sequence[int], *, deals: QuerySet[Deal]) -> list[int]:
    """Store ``deal_ids`` (top first) as the order of their cards in ``stage``.

    ``deals`` is what the caller may reorder (the user's visible deals); ids outside it or not in
    the stage are refused by name, nothing stored. Only the listed cards move; the card order is a
    view of the board, so it writes no timeline entry and no event.
    """
    ids = list(dict.fromkeys(deal_ids))
    if not ids:
        return []
    if len(ids) > MAX_ORDERED_CARDS:
        raise ValidationError({"deal": [_("Order at most %(count)d cards at once.") % {"count": MAX_ORDERED_CARDS}]})
    with transaction.atomic():
        found = {deal.pk: deal for deal in deals.select_for_update().filter(stage=stage, pk__in=ids).only("pk")}
        if len(found) != len(ids):
            raise ValidationError({"deal": [_("Some of these deals are not in this stage.")]})
        for position, pk in enumerate(ids):
            found[pk].board_position = position
        Deal.objects.bulk_update(list(found.values()), ["board_position"])
    return ids
