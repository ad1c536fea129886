"""Who may see a record: the one rule every link between records follows, on every surface.

A record of a module (a model of one of the module's apps) is shown to a user only when the
tenant's plan includes the module, the user's role holds ``<module>.view`` and the record lies
within the role's record visibility (own / team / all, by the record's owner — an activity's
assignee). A link to a record the user may not see is null in the APIs and not shown on pages, so
a contact's company, an activity's deal or a lead's converted records never reveal more than
opening the record itself would. The APIs narrow the rule further by the credential's scopes
(``allows_module``).

Users and the records a module shares with every other (``Module.shared_models``: tags, timeline
entries) belong to no module: they are shown with the record that carries them.

Checks run in memory once the user's visible owners are known (one query for team visibility,
none otherwise, once per ``RecordAccess``), so a page of any length costs the same.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import Model, Q

from identity.models import User
from identity.visibility import visible_owner_ids
from modules.registry import MODULES, is_enabled

# The field naming the user whose visibility a record follows, when it is not ``owner`` ("": none).
# A web form's ``owner`` is the owner it gives the records it creates; every marketer sees the form.
OWNER_FIELDS: dict[str, str] = {"activities.Activity": "assignee", "marketing_forms.WebForm": ""}

# Records a role sees beyond its owners' by a rule of their module (an unassigned case waiting in
# one of the user's queues): ``rule(record, access)``, registered from the module's ``ready()``
# so that links agree with the module's own list selector.
# ``condition(prefix, access)`` says the same in SQL, for records reached through a link
# (``prefix`` ``"case__"``), as the report builder reads them.
ExtraVisibility = Callable[[Model, "RecordAccess"], bool]
ExtraCondition = Callable[[str, "RecordAccess"], Q]
_EXTRA_VISIBILITY: dict[str, tuple[ExtraVisibility, ExtraCondition]] = {}


def register_extra_visibility(label: str, rule: ExtraVisibility, condition: ExtraCondition) -> None:
    """Records of model ``label`` (``"service.Case"``) outside the visible owners' are also shown
    when ``rule`` says so; it runs in memory on loaded rows (``RecordAccess.team_ids`` helps)."""
    _EXTRA_VISIBILITY[label] = (rule, condition)


def extra_visibility_condition(model: type[Model], prefix: str, access: RecordAccess) -> Q | None:
    """The SQL form of ``model``'s extra rule for records reached through ``prefix``, if it has one."""
    extra = _EXTRA_VISIBILITY.get(model._meta.label)
    return extra[1](prefix, access) if extra is not None else None


@cache
def _module_by_model() -> dict[str, str]:
    shared = {label for module in MODULES for label in module.shared_models}
    modules: dict[str, str] = {}
    for module in MODULES:
        for config in apps.get_app_configs():
            if config.name in module.apps:
                modules.update({model._meta.label: module.key for model in config.get_models()})
    return {label: key for label, key in modules.items() if label not in shared}


def module_of(model: type[Model] | Model) -> str | None:
    """The module whose records ``model`` holds; None for users and shared models."""
    return _module_by_model().get(model._meta.label)


@cache
def owner_field_of(model: type[Model]) -> str | None:
    """The foreign key to the user whose record visibility applies; None when records have no owner."""
    name = OWNER_FIELDS.get(model._meta.label, "owner")
    fields = {field.name: field for field in model._meta.concrete_fields}
    field = fields.get(name)
    return name if field is not None and field.related_model is User else None


def _everything(_module: str) -> bool:
    return True


class RecordAccess:
    """The link rule for one user on one tenant (and, in the APIs, one credential)."""

    def __init__(self, user: Any, tenant: object, allows_module: Callable[[str], bool] = _everything) -> None:
        self.user = user
        self.tenant = tenant
        self.allows_module = allows_module
        self._modules: dict[str, bool] = {}
        self._owners: set[int] | None = None
        self._owners_known = False
        self._teams: frozenset[int] | None = None

    def module_allowed(self, key: str) -> bool:
        """The module is in the plan, the role may view it and the credential reads it."""
        if key not in self._modules:
            user = self.user
            self._modules[key] = bool(
                user is not None
                and user.is_authenticated
                and self.tenant is not None
                and is_enabled(self.tenant, key)
                and user.has_perm(f"{key}.view")
                and self.allows_module(key)
            )
        return self._modules[key]

    def may_use(self, model: type[Model]) -> bool:
        """Records of ``model`` may be shown at all (their module is allowed, or they have none)."""
        module = module_of(model)
        return module is None or self.module_allowed(module)

    def owner_ids(self) -> set[int] | None:
        """Users whose records are visible (None: everyone's), looked up once."""
        if not self._owners_known:
            self._owners = visible_owner_ids(self.user)
            self._owners_known = True
        return self._owners

    def team_ids(self) -> frozenset[int]:
        """The user's teams, looked up once."""
        if self._teams is None:
            user = self.user
            known = user is not None and user.is_authenticated
            self._teams = frozenset(user.teams.values_list("pk", flat=True)) if known else frozenset()
        return self._teams

    def may_see(self, record: Model) -> bool:
        """``record`` may be shown: its module is allowed and it lies within record visibility."""
        model = record.__class__  # a lazy object (the request's user) stands for its class
        if not self.may_use(model):
            return False
        owner_field = owner_field_of(model)
        if owner_field is None:
            return True
        owners = self.owner_ids()
        if owners is None or getattr(record, f"{owner_field}_id") in owners:
            return True
        extra = _EXTRA_VISIBILITY.get(model._meta.label)
        return extra is not None and extra[0](record, self)

    def shown(self, record: Any) -> Any:
        """``record`` when it may be shown, else None (a link the user may not follow)."""
        if record is None or not isinstance(record, Model):
            return record
        return record if self.may_see(record) else None


def page_access(request: Any) -> RecordAccess:
    """The rule for a page request's user, kept on the request so a page looks owners up once."""
    access: RecordAccess | None = getattr(request, "_record_access", None)
    if access is None:
        access = RecordAccess(getattr(request, "user", None), getattr(request, "tenant", None))
        request._record_access = access
    return access
