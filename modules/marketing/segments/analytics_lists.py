"""Analytics results saved as a static segment: the segments app registers itself as a place an
analysis's customers can be saved to (``modules.analytics.acting.contact_lists``), from
``SegmentsConfig.ready()``. The segment is created and filled in one transaction, through the
segment services (audit, ``segment.contact_entered`` events, the member count)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.analytics.acting.contact_lists import ContactListTarget, SavedList, register_contact_list_target
from modules.contacts.models import Contact
from modules.marketing.choices import SegmentKind
from modules.marketing.segments.services import add_to_list, create_segment


def save_static_segment(*, name: str, description: str, contacts: QuerySet[Contact], by: User) -> SavedList:
    """A new static list named ``name`` holding ``contacts``: its id and page's URL."""
    with transaction.atomic():
        segment = create_segment(by=by, name=name, description=description, kind=SegmentKind.STATIC)
        add_to_list(segment, contacts, by=by)
    return SavedList(segment.pk, reverse("marketing-segments:detail", args=[segment.pk]))


def register() -> None:
    register_contact_list_target(
        ContactListTarget(
            key="marketing-segment", label=_("marketing segment"), needs=("marketing",),
            permission="marketing.change", save=save_static_segment, entity="segment",
        )
    )  # fmt: skip
