"""Users, roles, teams and invitations. Installed in the public schema (operator staff) and in
every tenant schema (that tenant's users): an account of one tenant does not exist in another."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from identity import credential_cache
from identity.choices import RecordVisibility


class CredentialQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Updates and deletes of keys, users and roles retire the tenant's cached API credentials
    (identity.credential_cache): revoking a key or deactivating a user applies at once."""

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        credential_cache.invalidate()
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        credential_cache.invalidate()
        return result

    def record_use(self, **kwargs: Any) -> int:
        """An update of bookkeeping columns no credential decision reads (``last_used_at``): the
        cached credentials stay valid, so a busy key does not retire its tenant's cache."""
        return super().update(**kwargs)


class Role(models.Model):
    """A named set of permissions and a record visibility scope."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    record_visibility = models.CharField(
        _("record visibility"), max_length=10, choices=RecordVisibility.choices, default=RecordVisibility.OWN
    )
    is_system = models.BooleanField(default=False, help_text=_("Built-in roles cannot be deleted."))

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Built-in roles keep their English name in the database and show it translated."""
        return gettext(self.name) if self.is_system else self.name


class Team(models.Model):
    """A group of users; team visibility and team calendars build on it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> CredentialQuerySet:
        return CredentialQuerySet(self.model, using=self._db)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """An operator staff account (public schema)."""
        extra.setdefault("is_staff", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser):
    """A person who logs in with an e-mail address."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True, help_text=_("Stored in lower case."))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.ForeignKey("identity.Role", on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    teams = models.ManyToManyField("identity.Team", blank=True, related_name="members")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator staff"), default=False)
    locale = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def permission_codes(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_permission_codes", None)
        if cached is None:
            cached = frozenset(self.role.permissions) if self.role_id and self.role else frozenset()
            self._permission_codes = cached
        return cached

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_active and perm in self.permission_codes

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and any(code.startswith(f"{app_label}.") for code in self.permission_codes)

    @property
    def record_visibility(self) -> str:
        return self.role.record_visibility if self.role else RecordVisibility.OWN


class PermissionCatalogue(models.Model):
    """The permission codes the tenant's built-in roles were last brought up to date with
    (``services.roles.grant_new_permissions``): a code missing here is new since then."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    codes = models.JSONField(default=list)
    synced_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{len(self.codes)} permissions"


class Invitation(models.Model):
    """An e-mailed invitation to join the tenant; only a hash of its token is stored."""

    email = models.EmailField(_("e-mail"))
    role = models.ForeignKey("identity.Role", on_delete=models.PROTECT, related_name="invitations")
    teams = models.ManyToManyField("identity.Team", blank=True, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        "identity.User", on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        "identity.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="identity_invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiKey(models.Model):
    """A user's key for the REST and GraphQL APIs, written ``rlt_<key_id>_<secret>`` and shown once.

    ``key_id`` is public (it finds the row); only a SHA-256 of the secret is stored. The secret is
    ~238 random bits, which no one can guess, so a fast hash is as safe here as a slow one; a
    password hash such as Argon2 would cost tens of milliseconds on every API request.
    A key can only narrow what its user may do: ``scopes`` are codes like ``contacts:read``.
    """

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey("identity.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} (rlt_{self.key_id}_…)"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class OAuthApplicationScopes(models.Model):
    """The module scopes an OAuth2 application may be granted (django-oauth-toolkit's application
    has no field for them). Tokens carry a subset; the scopes backend reads this row.

    No database constraint on the link: identity is installed in the public schema too, where the
    OAuth2 tables do not exist. Deleting an application still deletes this row (Django cascades).
    """

    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="module_scopes", db_constraint=False
    )
    scopes = models.JSONField(_("scopes"), default=list)

    class Meta:
        ordering = ["application_id"]

    def __str__(self) -> str:
        return " ".join(self.scopes)


class AuditEntry(models.Model):
    """Something done that the schema's administrators can review later: in a tenant schema the
    tenant's audit log (impersonations by support included), in the public schema the operator's."""

    class ActorKind(models.TextChoices):
        USER = "user", _("User")
        OPERATOR = "operator", _("Operator staff")
        SYSTEM = "system", _("System")
        CUSTOMER = "customer", _("Customer (portal)")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.CharField(_("who"), max_length=254, help_text=_("An e-mail address, or system:<name>."))
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices, default=ActorKind.USER)
    action = models.CharField(_("action"), max_length=64, db_index=True, help_text=_("e.g. impersonation.started"))
    summary = models.CharField(_("what"), max_length=500)
    target = models.CharField(_("on"), max_length=200, blank=True, db_index=True, help_text=_("e.g. tenant:acme"))
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
