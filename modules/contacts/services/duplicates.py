"""Duplicate detection on create: the same e-mail address, or a name that is nearly the same."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.models import Company, Contact

# pg_trgm similarity above which two names count as the same ("Jon Smith" / "John Smith" ≈ 0.7).
NAME_SIMILARITY = 0.6
MAX_CANDIDATES = 5


class DuplicateRecords(ValidationError):
    """Raised instead of creating a record that looks like existing ones.

    ``candidates`` lists them all; the message names only those ``viewer`` may see, so a duplicate
    check never reveals records outside the user's visibility.
    """

    def __init__(self, field: str, candidates: list[Company] | list[Contact], viewer: User | None = None) -> None:
        visible = candidates if viewer is None else _visible(candidates, viewer)
        if visible:
            names = ", ".join(str(candidate) for candidate in visible)
            message = _("This looks like an existing record: %(names)s.") % {"names": names}
        else:
            message = _("This looks like an existing record that you cannot see.")
        super().__init__({field: [message]})
        self.candidates = candidates
        self.visible_candidates = visible


def _visible(candidates: list[Company] | list[Contact], viewer: User) -> list[Any]:
    if not candidates:
        return []
    model = type(candidates[0])
    visible_ids = set(
        restrict_to_visible(model.objects.filter(pk__in=[c.pk for c in candidates]), viewer).values_list(
            "pk", flat=True
        )
    )
    return [candidate for candidate in candidates if candidate.pk in visible_ids]


def _emails(emails: Iterable[str]) -> list[str]:
    return sorted({email.strip().lower() for email in emails if email and email.strip()})


def duplicate_contacts(*, full_name: str, emails: Iterable[str], exclude_id: int | None = None) -> QuerySet[Contact]:
    addresses = _emails(emails)
    match = Q(pk__in=[])
    if addresses:
        match |= Q(email_lower__in=addresses) | Q(additional_emails__overlap=addresses)
    queryset = Contact.objects.annotate(email_lower=Lower("email"))
    if full_name.strip():
        # The trigram index serves ``%`` (similarity above pg_trgm's threshold); the annotation ranks.
        queryset = queryset.annotate(similarity=TrigramSimilarity(Lower("full_name"), full_name.strip().lower()))
        match |= Q(similarity__gte=NAME_SIMILARITY)
    candidates = queryset.filter(match)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    return candidates.select_related("company").order_by("full_name", "id")[:MAX_CANDIDATES]


def duplicate_companies(*, name: str, emails: Iterable[str] = (), exclude_id: int | None = None) -> QuerySet[Company]:
    addresses = _emails(emails)
    match = Q(pk__in=[])
    queryset = Company.objects.annotate(email_lower=Lower("email"))
    if addresses:
        match |= Q(email_lower__in=addresses) | Q(additional_emails__overlap=addresses)
    if name.strip():
        queryset = queryset.annotate(similarity=TrigramSimilarity(Lower("name"), name.strip().lower()))
        match |= Q(similarity__gte=NAME_SIMILARITY)
    candidates = queryset.filter(match)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    return candidates.order_by("name", "id")[:MAX_CANDIDATES]
