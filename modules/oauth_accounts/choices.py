from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountState(models.TextChoices):
    """``active`` works; ``failing`` the provider could not be reached or answered with an error
    (retried by the next sync); ``revoked`` the provider refused the refresh token
    (``invalid_grant``: the user withdrew the consent, changed their password, or an administrator
    revoked the sessions): only the user can mend it, by connecting again."""

    ACTIVE = "active", _("Connected")
    FAILING = "failing", _("Retrying after an error")
    REVOKED = "revoked", _("Access withdrawn: connect again")
