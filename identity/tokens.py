"""Password-reset tokens bound to the tenant: a link minted on one tenant is void on another."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator

from tenants.db import tenant_connection


class TenantPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "identity.tokens.TenantPasswordResetTokenGenerator"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        schema = tenant_connection().schema_name
        return f"{schema}:{super()._make_hash_value(user, timestamp)}"  # type: ignore[arg-type]


password_reset_token = TenantPasswordResetTokenGenerator()
