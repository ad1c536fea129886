"""Teams and their members.

Team visibility means a team's members see each other's records, so a membership change can widen
what the person making it sees. The rule: an editor whose role does not see all records may not
add themselves to a team, nor add anyone to a team they belong to (before or after the change).
Removing members is always allowed. Changes without an editor (``by=None``: provisioning, demo
data) are not limited. The team pages, the user form and invitations all apply it, and every
membership change is written to the tenant's audit log."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from identity.choices import RecordVisibility
from identity.models import AuditEntry, Team, User
from identity.services.audit import record_audit


def widening_refusal(*, by: User | None, team: Team | str, joining: bool, adds_to_own_team: bool) -> str | None:
    """Why ``by`` may not make a membership change of ``team``, or None when it widens nothing
    they may not already see. ``joining``: ``by`` becomes a member; ``adds_to_own_team``: others
    become members of a team ``by`` belongs to."""
    if by is None or by.record_visibility == RecordVisibility.ALL:
        return None
    if joining:
        return _(
            "You cannot add yourself to the team %(team)s: your role does not see all records, and a "
            "team's members see each other's records."
        ) % {"team": team}
    if adds_to_own_team:
        return _(
            "You cannot add members to the team %(team)s: you belong to it and your role does not see "
            "all records, so their records would become visible to you."
        ) % {"team": team}
    return None


def may_widen_through_teams(user: User) -> bool:
    """Whether ``user`` may join teams and add members to their own (pages show a note otherwise)."""
    return user.record_visibility == RecordVisibility.ALL


def audit_membership(
    team: Team | str,
    *,
    added: Iterable[User],
    removed: Iterable[User],
    by: User | None,
    ip_address: str | None = None,
    action: str = "team.members_changed",
) -> AuditEntry | None:
    """One audit entry for a change of ``team``'s members (none when nothing changed)."""
    added_emails = sorted(user.email for user in added)
    removed_emails = sorted(user.email for user in removed)
    if not added_emails and not removed_emails and action == "team.members_changed":
        return None
    parts = []
    if added_emails:
        parts.append(_("added %(users)s") % {"users": ", ".join(added_emails)})
    if removed_emails:
        parts.append(_("removed %(users)s") % {"users": ", ".join(removed_emails)})
    summary = _("Team %(team)s: %(changes)s.") % {"team": team, "changes": "; ".join(parts) or _("no members")}
    return record_audit(
        action,
        summary,
        actor=by.email if by is not None else "system:teams",
        actor_kind=AuditEntry.ActorKind.USER if by is not None else AuditEntry.ActorKind.SYSTEM,
        target=f"team:{team}",
        details={"team": str(team), "added": added_emails, "removed": removed_emails},
        ip_address=ip_address,
    )


def save_team(
    *,
    team: Team | None,
    name: str,
    description: str,
    members: list[User],
    by: User | None,
    ip_address: str | None = None,
) -> Team:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("A team needs a name.")]})
    clash = Team.objects.filter(name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": [_("A team with this name already exists.")]})
    with transaction.atomic():
        before = {user.pk: user for user in team.members.select_for_update()} if team is not None else {}
        after = {user.pk: user for user in members}
        added = [user for pk, user in after.items() if pk not in before]
        removed = [user for pk, user in before.items() if pk not in after]
        refusal = widening_refusal(
            by=by,
            team=team.name if team is not None else name,
            joining=by is not None and by.pk in after and by.pk not in before,
            adds_to_own_team=by is not None
            and (by.pk in after or by.pk in before)
            and any(user.pk != by.pk for user in added),
        )
        if refusal is not None:
            raise ValidationError({"members": [refusal]}, code="widens_visibility")
        team = team or Team()
        team.name = name
        team.description = description.strip()
        team.save()
        team.members.set(members)
        audit_membership(team, added=added, removed=removed, by=by, ip_address=ip_address)
    return team


def check_user_teams_change(user: User, *, teams: Iterable[Team], by: User | None) -> None:
    """Refuse (ValidationError on ``teams``) a change of ``user``'s teams that widens ``by``'s sight."""
    if by is None:
        return
    current = set(user.teams.values_list("pk", flat=True)) if user.pk else set()
    own_teams = set(by.teams.values_list("pk", flat=True))
    for team in teams:
        if team.pk in current:
            continue
        refusal = widening_refusal(
            by=by, team=team, joining=user.pk == by.pk, adds_to_own_team=user.pk != by.pk and team.pk in own_teams
        )
        if refusal is not None:
            raise ValidationError({"teams": [refusal]}, code="widens_visibility")


def set_user_teams(user: User, *, teams: Iterable[Team], by: User | None, ip_address: str | None = None) -> None:
    """Put ``user`` in exactly ``teams``, audited per team. The caller has refused a widening change
    with ``check_user_teams_change`` first, before writing anything else (``update_user`` does)."""
    teams = list(teams)
    before = {team.pk: team for team in user.teams.all()}
    after = {team.pk: team for team in teams}
    user.teams.set(teams)
    for pk, team in after.items():
        if pk not in before:
            audit_membership(team, added=[user], removed=[], by=by, ip_address=ip_address)
    for pk, team in before.items():
        if pk not in after:
            audit_membership(team, added=[], removed=[user], by=by, ip_address=ip_address)


def delete_team(team: Team, *, by: User | None, ip_address: str | None = None) -> None:
    with transaction.atomic():
        members = list(team.members.all())
        name = team.name
        team.delete()
        audit_membership(name, added=[], removed=members, by=by, ip_address=ip_address, action="team.deleted")
