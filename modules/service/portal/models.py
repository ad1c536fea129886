"""The customer portal's own accounts, sessions and sign-in links: a portal user is a tenant's
contact, never a staff ``identity.User``, so nothing of the staff side can authenticate them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalUser(models.Model):
    """A contact invited to the portal. A company admin sees the cases, quotes and orders of the
    contact's whole company; others only their own. ``password`` is Django's hasher format, empty
    while the customer signs in with e-mailed links only."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE, related_name="portal_user")
    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    is_company_admin = models.BooleanField(_("company admin"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    password = models.CharField(max_length=128, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email", "id"]
        verbose_name = _("portal user")
        verbose_name_plural = _("portal users")

    def __str__(self) -> str:
        return self.email

    @property
    def has_password(self) -> bool:
        return bool(self.password)


class PortalSession(models.Model):
    """A signed-in portal browser. Only the SHA-256 of the cookie's key is kept; deactivating the
    user or signing out deletes the row, which ends the session at once."""

    portal_user = models.ForeignKey("service_portal.PortalUser", on_delete=models.CASCADE, related_name="sessions")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("portal session")
        verbose_name_plural = _("portal sessions")

    def __str__(self) -> str:
        return f"{self.portal_user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class PortalSignInLink(models.Model):
    """An e-mailed sign-in link: the token is signed (tenant and user in it) and only its nonce's
    SHA-256 is kept, so a link works once, until ``expires_at``."""

    portal_user = models.ForeignKey("service_portal.PortalUser", on_delete=models.CASCADE, related_name="links")
    nonce_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("portal sign-in link")
        verbose_name_plural = _("portal sign-in links")

    def __str__(self) -> str:
        return f"{self.portal_user_id}: {self.created_at:%Y-%m-%d %H:%M}"
