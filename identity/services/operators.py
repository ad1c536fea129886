"""Operator staff accounts: users of the public schema with ``is_staff``, who may use the console."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from identity.models import User
from identity.services.accounts import normalize_email


def ensure_operator(email: str, password: str) -> User:
    """Create the operator account for ``email`` in the public schema, or update its password and
    turn it (back) into active operator staff. Raises ValidationError naming the bad field."""
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    with schema_context("public"), transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first() or User(email=email)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": list(error.messages)}) from None
        user.set_password(password)
        user.is_staff = True
        user.is_active = True
        user.save()
    return user
