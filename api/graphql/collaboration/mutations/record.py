"""The record a collaboration mutation names by global id, and the checks it passes."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from graphql_relay import from_global_id

from api.auth.credentials import code_allowed, credential_of
from api.graphql.core import MutationFailed, require_module
from identity.models import User
from modules.collaboration.targets import TARGETS

NOT_FOUND = "No such record, or not one you can see."


def record_of(info: Any, global_id: Any, user: User, *, permission: str, scope: str) -> Model:
    """The company, contact, lead, deal or order ``global_id`` names, if the user may see it and
    holds ``<module>.<permission>``, and the credential's scopes allow ``<module>.<scope>``
    (NOT_FOUND or PERMISSION_DENIED on ``record`` otherwise; MODULE_NOT_IN_PLAN for the field)."""
    try:
        type_name, object_id = from_global_id(global_id) if isinstance(global_id, str) else ("", "")
    except Exception:  # graphql-relay raises for malformed base64 or text
        type_name, object_id = "", ""
    graphene_type = getattr(info.schema.get_type(type_name), "graphene_type", None) if type_name else None
    model = getattr(getattr(graphene_type, "_meta", None), "model", None)
    target = next((target for target in TARGETS.values() if model and target.model == model._meta.label), None)
    if graphene_type is None or target is None or not object_id.isdigit():
        raise MutationFailed("record", _(NOT_FOUND), "NOT_FOUND")
    require_module(info, target.module)
    if not user.has_perm(f"{target.module}.{permission}"):
        raise MutationFailed("record", _("You do not have permission to do this."), "PERMISSION_DENIED")
    if not code_allowed(credential_of(info.context), f"{target.module}.{scope}"):
        message = _("This credential's scopes do not allow this (%(permission)s).") % {
            "permission": f"{target.module}.{scope}"
        }
        raise MutationFailed("record", message, "PERMISSION_DENIED")
    record = graphene_type.get_node(info, object_id)
    if record is None:
        raise MutationFailed("record", _(NOT_FOUND), "NOT_FOUND")
    return record  # type: ignore[no-any-return]
