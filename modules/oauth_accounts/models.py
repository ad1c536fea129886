"""A user's account at an OAuth2 provider (Microsoft 365 / Outlook.com, Google) and its tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.oauth_accounts.choices import AccountState


class OAuthAccount(models.Model):
    """The tokens that let the platform act for ``user`` at ``provider`` (a name of the provider
    registry) as ``email``. ``access_token`` and ``refresh_token`` are stored encrypted with
    ``core.encryption`` and never logged; ``expires_at`` is when the access token stops working
    (it is refreshed a little before, under a row lock, by ``services.tokens``). ``scopes`` are
    the scopes the provider granted. Mailboxes and calendar connections of the provider point at
    their account; a ``revoked`` account stops them until the user connects again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oauth_accounts")
    provider = models.CharField(_("provider"), max_length=20)
    email = models.EmailField(_("account"), max_length=254)
    access_token = models.TextField(blank=True)
    refresh_token = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=AccountState.choices, default=AccountState.ACTIVE)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "email", "id"]
        verbose_name = _("connected account")
        verbose_name_plural = _("connected accounts")
        constraints = [
            models.UniqueConstraint(fields=["user", "provider", "email"], name="oauth_accounts_one_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.email}"

    @property
    def is_usable(self) -> bool:
        return self.state != AccountState.REVOKED
