"""Writes of the lists: saved views (a user's own, or shared with the workspace)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.models import SavedView


def save_view(
    *, owner: User, entity: str, name: str, query: dict[str, str], columns: list[str], is_shared: bool
) -> SavedView:
    """Save (or overwrite the owner's view of the same name) the list's filters, sort and columns."""
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationError({"name": [_("Name the view.")]})
    with transaction.atomic():
        view, _created = SavedView.objects.update_or_create(
            owner=owner,
            entity=entity,
            name=name,
            defaults={"query": query, "columns": columns, "is_shared": is_shared},
        )
    return view


def delete_view(view: SavedView, *, by: User) -> None:
    if view.owner_id != by.pk:
        raise ValidationError(_("Only its owner can delete a view."))
    view.delete()


def views_for(user: User, entity: str) -> QuerySet[SavedView]:
    """The views ``user`` may pick on ``entity``'s list: their own and the shared ones."""
    return SavedView.objects.filter(Q(owner=user) | Q(is_shared=True), entity=entity).order_by("name", "id")
