"""A module the tenant's plan does not include: one exception, one message, on every surface.

Pages, the REST API and GraphQL all answer it the same way (403 with ``not_in_plan_message``):
``crm_platform.plan_gate`` renders it for pages, ``api.rest.problems`` and ``api.graphql.core``
for the APIs. The module's data stays in the tenant's schema; adding the module back shows it again.
Which modules a tenant has is answered by ``modules.registry`` alone.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from modules.registry import MODULES_BY_KEY, is_enabled


def not_in_plan_title() -> str:
    return _("Not in your plan")


def not_in_plan_message(module: str) -> str:
    return _("%(module)s is not in your plan. Your data is kept; upgrade the plan to use it again.") % {
        "module": MODULES_BY_KEY[module].label
    }


class ModuleNotInPlan(PermissionDenied):
    """Raised where a request needs a module the tenant's plan does not include.

    A ``PermissionDenied``, so that anything not told about plans still answers 403 rather than 500.
    """

    def __init__(self, module: str) -> None:
        self.module = module
        super().__init__(not_in_plan_message(module))


def ensure_in_plan(tenant: object, module: str) -> None:
    """Raise ``ModuleNotInPlan`` unless ``tenant`` has ``module``."""
    if not is_enabled(tenant, module):
        raise ModuleNotInPlan(module)
