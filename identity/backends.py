"""Authentication by e-mail, case-insensitively, against the current schema's users."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from identity.models import User


class EmailBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        email = (username or kwargs.get("email") or "").strip()
        if not email or password is None:
            return None
        user = User.objects.select_related("role").filter(email__iexact=email).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle on e-mails
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("role").filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None

    # Permissions come from the user's role (identity.models.User.has_perm), not Django's tables.
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False
