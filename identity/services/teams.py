"""Teams and their members."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from identity.models import Team, User


def save_team(*, team: Team | None, name: str, description: str, members: list[User]) -> Team:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("A team needs a name.")]})
    clash = Team.objects.filter(name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": [_("A team with this name already exists.")]})
    with transaction.atomic():
        team = team or Team()
        team.name = name
        team.description = description.strip()
        team.save()
        team.members.set(members)
    return team


def delete_team(team: Team) -> None:
    team.delete()
