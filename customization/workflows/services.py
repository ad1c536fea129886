"""Workflow rules and e-mail templates as tenant admins shape them (Settings → Workflows).

The only writers of rules and templates. Each function owns its transaction and raises a
field-named ``ValidationError`` (``actions[2].subject``, ``trigger_config.stage_id``, ``body``),
writing nothing, when it refuses. Every change of a rule's definition bumps its version and
stores a ``WorkflowRuleVersion`` in the same transaction.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customization.workflows.choices import ActionType
from customization.workflows.definition import clean_definition
from customization.workflows.models import EmailTemplate, WorkflowRule, WorkflowRuleVersion
from identity.models import User
from identity.services.audit import audit

DEFINITION_FIELDS = ("entity", "trigger", "trigger_config", "conditions", "actions")
RULE_FIELDS = ("name", "description", *DEFINITION_FIELDS)
TEMPLATE_FIELDS = ("name", "subject", "body")
MAX_NAME = 120

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_ALLOWED_PLACEHOLDER = re.compile(
    r"^(record\.(custom\.)?[a-z_][a-z0-9_]*|owner\.(first_name|last_name|email))$", re.IGNORECASE
)


def _definition_of(rule: WorkflowRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in DEFINITION_FIELDS}


def _clean_name(errors: dict[str, list[str]], name: Any) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        errors["name"] = [_("Enter a name.")]
    elif len(text) > MAX_NAME:
        errors["name"] = [_("Enter at most %(limit)d characters.") % {"limit": MAX_NAME}]
    return text


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    """Name, description and the normalised definition, or every error at once."""
    errors: dict[str, list[str]] = {}
    name = _clean_name(errors, values["name"])
    description = values.get("description") or ""
    if not isinstance(description, str):
        errors["description"] = [_("Enter text.")]
    try:
        definition = clean_definition(**{field: values[field] for field in DEFINITION_FIELDS})
    except ValidationError as error:
        errors.update(error.message_dict)
        definition = {}
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": description.strip(), **definition}


def _snapshot(rule: WorkflowRule, *, by: User | None) -> None:
    WorkflowRuleVersion.objects.create(rule=rule, version=rule.version, definition=_definition_of(rule), created_by=by)


def _audit(rule: WorkflowRule, action: str, summary: str, *, by: User | None) -> None:
    audit(
        action,
        summary % {"rule": rule.name, "version": rule.version},
        by=by,
        target=f"workflow:{rule.pk}",
        details={"rule": rule.name, "version": rule.version},
    )


def create_rule(
    *,
    by: User | None,
    name: str,
    entity: str,
    trigger: str,
    trigger_config: Any,
    conditions: Any,
    actions: Any,
    description: str = "",
) -> WorkflowRule:
    """A new, inactive rule at version 1."""
    values = _validated(
        {
            "name": name,
            "description": description,
            "entity": entity,
            "trigger": trigger,
            "trigger_config": trigger_config,
            "conditions": conditions,
            "actions": actions,
        }
    )
    with transaction.atomic():
        rule = WorkflowRule.objects.create(**values, version=1, is_active=False, created_by=by)
        _snapshot(rule, by=by)
        _audit(rule, "workflow.created", _("Workflow rule %(rule)s created."), by=by)
    return rule


def update_rule(rule: WorkflowRule, *, by: User | None, **changes: Any) -> WorkflowRule:
    """Change name, description or definition; a changed definition is the next version. An
    active rule stays active (its new definition is valid, or nothing is saved)."""
    unknown = sorted(set(changes) - set(RULE_FIELDS))
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed here.")] for field in unknown})
    with transaction.atomic():
        rule = WorkflowRule.objects.select_for_update().get(pk=rule.pk)
        current = {field: getattr(rule, field) for field in RULE_FIELDS}
        values = _validated({**current, **changes})
        definition_changed = {field: values[field] for field in DEFINITION_FIELDS} != _definition_of(rule)
        for field, value in values.items():
            setattr(rule, field, value)
        if definition_changed:
            rule.version += 1
        rule.save()
        if definition_changed:
            _snapshot(rule, by=by)
        _audit(rule, "workflow.updated", _("Workflow rule %(rule)s changed (version %(version)s)."), by=by)
    return rule


def set_rule_active(rule: WorkflowRule, active: bool, *, by: User | None) -> WorkflowRule:
    """Switch a rule on or off. Switching on checks the definition again: a field, stage, team or
    template it names may have gone since it was saved."""
    with transaction.atomic():
        rule = WorkflowRule.objects.select_for_update().get(pk=rule.pk)
        if active:
            clean_definition(**_definition_of(rule))
        rule.is_active = active
        rule.save(update_fields=["is_active", "updated_at"])
        if active:
            _audit(rule, "workflow.activated", _("Workflow rule %(rule)s switched on."), by=by)
        else:
            _audit(rule, "workflow.deactivated", _("Workflow rule %(rule)s switched off."), by=by)
    return rule


def delete_rule(rule: WorkflowRule, *, by: User | None) -> None:
    """Remove the rule with its versions and run history."""
    with transaction.atomic():
        _audit(rule, "workflow.deleted", _("Workflow rule %(rule)s deleted."), by=by)
        WorkflowRule.objects.filter(pk=rule.pk).delete()


def duplicate_rule(rule: WorkflowRule, *, by: User | None) -> WorkflowRule:
    """An inactive copy at version 1, named after the original."""
    name = (_("Copy of %(name)s") % {"name": rule.name})[:MAX_NAME]
    return create_rule(by=by, name=name, description=rule.description, **_definition_of(rule))


def rules_using_template(template: EmailTemplate) -> list[WorkflowRule]:
    return list(
        WorkflowRule.objects.filter(
            actions__contains=[{"type": ActionType.SEND_EMAIL, "template_id": template.pk}]
        ).order_by("name", "id")
    )


# --- E-mail templates -----------------------------------------------------------------------------


def _check_placeholders(errors: dict[str, list[str]], field: str, text: str) -> None:
    for marker in ("{%", "{#"):
        if marker in text:
            errors.setdefault(field, []).append(
                _("Template tags like %(marker)s are not allowed; use {{ record.<field> }} placeholders.")
                % {"marker": marker}
            )
    for match in _PLACEHOLDER.finditer(text):
        inner = match.group(1).strip()
        if not _ALLOWED_PLACEHOLDER.match(inner):
            errors.setdefault(field, []).append(
                _(
                    "%(placeholder)s is not a placeholder: use {{ record.<field> }}, {{ record.custom.<key> }} "
                    "or {{ owner.first_name }}, {{ owner.last_name }}, {{ owner.email }}."
                )
                % {"placeholder": match.group(0)}
            )
    leftover = _PLACEHOLDER.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        errors.setdefault(field, []).append(_("A placeholder is not closed: write it as {{ record.<field> }}."))


def _validated_template(values: dict[str, Any], *, instance_pk: int | None) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    name = _clean_name(errors, values["name"])
    same_name = EmailTemplate.objects.filter(name__iexact=name)
    if instance_pk is not None:
        same_name = same_name.exclude(pk=instance_pk)
    if name and same_name.exists():
        errors["name"] = [_("Another template has this name.")]
    cleaned = {"name": name}
    for field, limit in (("subject", 200), ("body", 20_000)):
        text = values[field].strip() if isinstance(values[field], str) else ""
        if not text:
            errors[field] = [_("This field is required.")]
        elif len(text) > limit:
            errors[field] = [_("Enter at most %(limit)d characters.") % {"limit": limit}]
        else:
            _check_placeholders(errors, field, text)
        cleaned[field] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def create_email_template(*, name: str, subject: str, body: str) -> EmailTemplate:
    values = _validated_template({"name": name, "subject": subject, "body": body}, instance_pk=None)
    with transaction.atomic():
        return EmailTemplate.objects.create(**values)


def update_email_template(template: EmailTemplate, **changes: Any) -> EmailTemplate:
    unknown = sorted(set(changes) - set(TEMPLATE_FIELDS))
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed here.")] for field in unknown})
    with transaction.atomic():
        template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
        current = {field: getattr(template, field) for field in TEMPLATE_FIELDS}
        values = _validated_template({**current, **changes}, instance_pk=template.pk)
        for field, value in values.items():
            setattr(template, field, value)
        template.save()
    return template


def delete_email_template(template: EmailTemplate) -> None:
    """Refused while a rule sends it."""
    with transaction.atomic():
        users = rules_using_template(template)
        if users:
            raise ValidationError(
                {"template": [_("Rules send this template: %(rules)s.") % {"rules": ", ".join(r.name for r in users)}]}
            )
        EmailTemplate.objects.filter(pk=template.pk).delete()
