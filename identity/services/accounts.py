"""Creating and changing user accounts."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from identity.locales import is_supported_locale
from identity.models import Role, Team, User
from identity.services.audit import audit
from identity.services.roles import check_role_grant, holds_more_than
from identity.services.teams import audit_membership, check_user_teams_change, set_user_teams


def normalize_email(email: str) -> str:
    return email.strip().lower()


def users_with_permission(code: str) -> list[User]:
    """Active users whose role grants the permission ``code``, by e-mail (e.g. who to notify)."""
    return list(User.objects.filter(is_active=True, role__permissions__contains=[code]).order_by("email"))


def ensure_user(
    *, email: str, role: Role, full_name: str = "", password: str | None = None, password_hash: str | None = None
) -> User:
    """Get or create the account for ``email`` (idempotent; used by provisioning and seeding)."""
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user
    user = User(email=email, full_name=full_name, role=role)
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    return user


def create_user(*, email: str, password: str, full_name: str, role: Role, teams: list[Team] | None = None) -> User:
    """Create an account after validating the address and the password; raises ValidationError."""
    email = normalize_email(email)
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    if not errors and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("A user with this e-mail already exists.")]
    candidate = User(email=email, full_name=full_name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        candidate.role = role
        candidate.set_password(password)
        candidate.save()
        if teams:
            candidate.teams.set(teams)
            for team in teams:
                audit_membership(team, added=[candidate], removed=[], by=candidate)
    return candidate


def update_user(
    user: User,
    *,
    by: User,
    full_name: str,
    role: Role,
    teams: list[Team],
    is_active: bool,
    ip_address: str | None = None,
) -> User:
    if user.pk == by.pk and (not is_active or role.key != "admin") and user.role and user.role.key == "admin":
        raise ValidationError({"role": [_("You cannot remove your own administrator access.")]})
    current = user.role
    if current is not None and user.pk != by.pk and holds_more_than(current, by):
        message = _("%(user)s holds more than your own role; only someone who holds as much can change them.")
        raise ValidationError({"role": [message % {"user": user}]})
    if current is None or role.pk != current.pk:
        check_role_grant(role, by=by)
    check_user_teams_change(user, teams=teams, by=by)
    before_role, was_active = current, user.is_active
    with transaction.atomic():
        user.full_name = full_name.strip()
        user.role = role
        user.is_active = is_active
        user.save(update_fields=["full_name", "role", "is_active"])
        set_user_teams(user, teams=teams, by=by, ip_address=ip_address)
        _audit_user_change(user, by=by, before_role=before_role, was_active=was_active)
    return user


def _audit_user_change(user: User, *, by: User, before_role: Role | None, was_active: bool) -> None:
    """An entry when the role or the account's state changed (a name change is not a security matter)."""
    role = user.role
    if role is not None and (before_role is None or before_role.pk != role.pk):
        audit(
            "user.role_changed",
            _("%(user)s now has the role %(role)s (was %(before)s).")
            % {"user": user.email, "role": role.name, "before": before_role.name if before_role else "—"},
            by=by,
            target=f"user:{user.email}",
            details={
                "role": role.key or role.name,
                "before": (before_role.key or before_role.name) if before_role else "",
            },
        )
    if was_active != user.is_active:
        audit(
            "user.reactivated" if user.is_active else "user.deactivated",
            (_("%(user)s was reactivated.") if user.is_active else _("%(user)s was deactivated."))
            % {"user": user.email},
            by=by,
            target=f"user:{user.email}",
        )


def set_preferences(user: User, *, locale: str | None = None, time_zone: str | None = None) -> User:
    fields = []
    if locale is not None:
        if not is_supported_locale(locale):
            raise ValidationError({"locale": [_("Unsupported language.")]})
        user.locale = locale
        fields.append("locale")
    if time_zone is not None:
        import zoneinfo

        if time_zone and time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": [_("Unknown time zone.")]})
        user.time_zone = time_zone
        fields.append("time_zone")
    if fields:
        user.save(update_fields=fields)
    return user
