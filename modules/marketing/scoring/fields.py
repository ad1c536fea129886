"""What a fit rule may test, and the SQL condition a rule becomes.

A field is a standard field of the contact or lead (``job_title``), a field of the contact's
company (``company.industry``), or a custom field (``custom.<key>``, ``company.custom.<key>``).
A rule becomes a ``Q`` on the scored model; company fields become an ``EXISTS`` on the company, so
the whole fit score of many records is one query (``services.compute``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customization.fields.models import CustomFieldDefinition
from customization.fields.queries import filter_by_custom, operators_for
from customization.fields.validation import definitions_for
from modules.contacts.models import Company, Contact
from modules.marketing.scoring.choices import Operator, ScoredEntity
from modules.sales.models import Lead

TEXT_OPERATORS = (Operator.EQ, Operator.NE, Operator.CONTAINS, Operator.SET, Operator.EMPTY)
NUMBER_OPERATORS = (
    Operator.EQ, Operator.NE, Operator.GT, Operator.GTE, Operator.LT, Operator.LTE, Operator.SET, Operator.EMPTY,
)  # fmt: skip


@dataclass(frozen=True)
class StandardField:
    path: str  # the model field; on ``company.<path>`` the company's
    label: str | Promise
    numeric: bool = False


CONTACT_FIELDS = (
    StandardField("job_title", gettext_lazy("Job title")),
    StandardField("department", gettext_lazy("Department")),
    StandardField("email", gettext_lazy("E-mail")),
    StandardField("source", gettext_lazy("Source")),
    StandardField("lifecycle_stage", gettext_lazy("Lifecycle stage")),
    StandardField("country", gettext_lazy("Country")),
    StandardField("city", gettext_lazy("City")),
)
LEAD_FIELDS = (
    StandardField("job_title", gettext_lazy("Job title")),
    StandardField("company_name", gettext_lazy("Company")),
    StandardField("email", gettext_lazy("E-mail")),
    StandardField("source", gettext_lazy("Source")),
    StandardField("status", gettext_lazy("Status")),
    StandardField("country", gettext_lazy("Country")),
    StandardField("estimated_value", gettext_lazy("Estimated value"), numeric=True),
)
COMPANY_FIELDS = (
    StandardField("industry", gettext_lazy("Industry")),
    StandardField("employee_count", gettext_lazy("Employees"), numeric=True),
    StandardField("country", gettext_lazy("Country")),
    StandardField("lifecycle_stage", gettext_lazy("Lifecycle stage")),
)
MODELS: dict[str, Any] = {ScoredEntity.CONTACT: Contact, ScoredEntity.LEAD: Lead}


def fit_fields(entity: str) -> list[tuple[str, str]]:
    """``(field, label)`` pairs a fit rule on ``entity`` may test, custom fields included."""
    own = CONTACT_FIELDS if entity == ScoredEntity.CONTACT else LEAD_FIELDS
    choices = [(field.path, str(field.label)) for field in own]
    choices += [(f"custom.{d.key}", str(d.label)) for d in definitions_for(entity)]
    if entity == ScoredEntity.CONTACT:
        company = _("Company")
        choices += [(f"company.{field.path}", f"{company}: {field.label}") for field in COMPANY_FIELDS]
        choices += [(f"company.custom.{d.key}", f"{company}: {d.label}") for d in definitions_for("company")]
    return choices


def _standard(fields: tuple[StandardField, ...], path: str) -> StandardField | None:
    return next((field for field in fields if field.path == path), None)


def _custom_definition(entity: str, key: str) -> CustomFieldDefinition | None:
    return next((d for d in definitions_for(entity) if d.key == key), None)


def _standard_condition(field: StandardField, operator: str, value: str) -> Q:
    path = field.path
    if operator in (Operator.SET, Operator.EMPTY):
        empty = Q(**{f"{path}__isnull": True}) if field.numeric else Q(**{f"{path}__isnull": True}) | Q(**{path: ""})
        return empty if operator == Operator.EMPTY else ~empty
    allowed = NUMBER_OPERATORS if field.numeric else TEXT_OPERATORS
    if operator not in allowed:
        raise ValidationError({"operator": [_("This field cannot be compared that way.")]})
    compared: Any = value.strip()
    if field.numeric:
        try:
            compared = Decimal(compared)
        except InvalidOperation:
            raise ValidationError({"value": [_("Enter a number.")]}) from None
        if not compared.is_finite() or abs(compared) >= Decimal(10) ** 12:
            raise ValidationError({"value": [_("Enter a number.")]})
    elif not compared:
        raise ValidationError({"value": [_("Enter a value to compare with.")]})
    if operator == Operator.EQ:
        return Q(**{path: compared}) if field.numeric else Q(**{f"{path}__iexact": compared})
    if operator == Operator.NE:
        match = Q(**{path: compared}) if field.numeric else Q(**{f"{path}__iexact": compared})
        return ~match
    if operator == Operator.CONTAINS:
        return Q(**{f"{path}__icontains": compared})
    return Q(**{f"{path}__{operator}": compared})


def _custom_exists(model: Any, definition: CustomFieldDefinition, operator: str, value: str, *, link: str) -> Exists:
    """EXISTS (the ``link`` record whose custom field matches): custom filters annotate, so they are
    evaluated on a subquery of the model instead of the scored queryset."""
    if operator in (Operator.SET, Operator.EMPTY):
        op, raw = "isnull", "true" if operator == Operator.EMPTY else "false"
    else:
        op, raw = str(operator), value
        if op not in operators_for(definition):
            raise ValidationError({"operator": [_("This field cannot be compared that way.")]})
    try:
        matching = filter_by_custom(model.objects.filter(pk=OuterRef(link)), definition, op, raw, param="value")
    except ValidationError as error:
        raise ValidationError({"value": [" ".join(error.messages)]}) from None
    return Exists(matching)


def rule_condition(entity: str, field: str, operator: str, value: str) -> Q:
    """The condition a fit rule tests, as a ``Q`` on the scored model; a ``ValidationError`` naming
    ``field``, ``operator`` or ``value`` when the rule cannot be one."""
    unknown = ValidationError({"field": [_("Choose a field from the list.")]})
    model = MODELS.get(entity)  # type: ignore[call-overload]
    if model is None:
        raise ValidationError({"entity": [_("Choose contacts or leads.")]})
    if operator not in Operator.values:
        raise ValidationError({"operator": [_("Choose an operator from the list.")]})
    if field.startswith("company."):
        if entity != ScoredEntity.CONTACT:
            raise unknown
        inner = field.removeprefix("company.")
        if inner.startswith("custom."):
            definition = _custom_definition("company", inner.removeprefix("custom."))
            if definition is None:
                raise unknown
            return Q(_custom_exists(Company, definition, operator, value, link="company_id"))
        standard = _standard(COMPANY_FIELDS, inner)
        if standard is None:
            raise unknown
        return Q(
            Exists(Company.objects.filter(_standard_condition(standard, operator, value), pk=OuterRef("company_id")))
        )
    if field.startswith("custom."):
        definition = _custom_definition(entity, field.removeprefix("custom."))
        if definition is None:
            raise unknown
        return Q(_custom_exists(model, definition, operator, value, link="pk"))
    standard = _standard(CONTACT_FIELDS if entity == ScoredEntity.CONTACT else LEAD_FIELDS, field)
    if standard is None:
        raise unknown
    return _standard_condition(standard, operator, value)
