"""Names a tenant can have: the slug is its host label, the schema its PostgreSQL namespace."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SCHEMA_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "app",
        "admin",
        "console",
        "public",
        "static",
        "media",
        "mail",
        "smtp",
        "status",
        "help",
        "support",
        "docs",
        "billing",
        "signup",
        "login",
        "template",
    }
)
RESERVED_SCHEMAS = frozenset({"public", "information_schema", "tenant_template"})
# PostgreSQL's own schemas, and the spare schemas cloned ahead of signups (tenants.services.spare_schemas).
RESERVED_SCHEMA_PREFIXES = ("pg_", "spare__")


def validate_schema_name(value: str) -> None:
    if not SCHEMA_NAME_PATTERN.match(value or ""):
        raise ValidationError(
            _("Schema names start with a lower-case letter and hold only a-z, 0-9 and _ (at most 63 characters)."),
            code="invalid_schema_name",
        )
    if value.startswith(RESERVED_SCHEMA_PREFIXES) or value in RESERVED_SCHEMAS:
        raise ValidationError(_("“%(value)s” is a reserved schema name."), code="reserved", params={"value": value})


def validate_slug(value: str) -> None:
    if not SLUG_PATTERN.match(value or ""):
        raise ValidationError(
            _("Use 3–40 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."),
            code="invalid_slug",
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(value)s” is reserved."), code="reserved", params={"value": value})


def schema_name_for_slug(slug: str) -> str:
    return slug.replace("-", "_")
