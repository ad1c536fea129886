"""Tags by name: typing a new name creates the tag, an existing one is reused regardless of case."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from modules.contacts.models import Tag


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    tags: list[Tag] = []
    seen: set[str] = set()
    for raw in names:
        name = " ".join(raw.split())
        if not name or name.lower() in seen:
            continue
        if len(name) > 60:
            raise ValidationError({"tags": [_("A tag has at most 60 characters.")]})
        seen.add(name.lower())
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    return tags
