"""The demo's customization: a few custom fields with values, two workflow rules and an e-mail
template, so a new tenant sees what an admin can shape. Values are filled set-based after the
records exist (deterministic from each row's id); definitions are written with the models, as the
rest of the demo is, and rules through their services."""

from __future__ import annotations

from django.db import connection

from customization.fields.choices import Entity, FieldType
from customization.fields.indexes import schedule_index_sync
from customization.fields.models import CustomFieldDefinition
from customization.fields.versions import bump_definitions_version
from customization.workflows.choices import ActionType, Trigger
from customization.workflows.services import create_email_template, create_rule, set_rule_active
from modules.contacts.demo.builder import DemoBase, _
from modules.sales.choices import StageKind
from modules.sales.models import Stage


def _options(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"value": value, "label": _(label)} for value, label in pairs]


class CustomizationRecords(DemoBase):
    def custom_fields(self) -> None:
        tier = CustomFieldDefinition.objects.create(
            entity=Entity.COMPANY, key="account_tier", label=_("Account tier"), field_type=FieldType.SINGLE_SELECT,
            options=_options(("gold", "Gold"), ("silver", "Silver"), ("bronze", "Bronze")), is_indexed=True,
            help_text=_("Service level agreed with the account."), position=0,
        )  # fmt: skip
        CustomFieldDefinition.objects.create(
            entity=Entity.CONTACT, key="preferred_channel", label=_("Preferred channel"),
            field_type=FieldType.SINGLE_SELECT, options=_options(("email", "E-mail"), ("phone", "Phone"),
            ("meeting", "Meeting")), position=0,
        )  # fmt: skip
        CustomFieldDefinition.objects.create(
            entity=Entity.CONTACT, key="newsletter", label=_("Newsletter"), field_type=FieldType.BOOLEAN, position=1,
        )  # fmt: skip
        CustomFieldDefinition.objects.create(
            entity=Entity.DEAL, key="contract_type", label=_("Contract type"), field_type=FieldType.SINGLE_SELECT,
            options=_options(("new", "New business"), ("renewal", "Renewal"), ("upsell", "Upsell")), position=0,
        )  # fmt: skip
        CustomFieldDefinition.objects.create(
            entity=Entity.DEAL, key="decision_date", label=_("Decision date"), field_type=FieldType.DATE, position=1,
        )  # fmt: skip
        bump_definitions_version()
        schedule_index_sync(tier)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE contacts_company SET custom = jsonb_build_object("
                " 'account_tier', (ARRAY['gold', 'silver', 'bronze', 'bronze'])[1 + id % 4])"
            )
            cursor.execute(
                "UPDATE contacts_contact SET custom = jsonb_build_object("
                " 'preferred_channel', (ARRAY['email', 'phone', 'meeting'])[1 + id % 3], 'newsletter', id % 2 = 0)"
            )
            cursor.execute(
                "UPDATE sales_deal SET custom = jsonb_build_object("
                " 'contract_type', (ARRAY['new', 'new', 'renewal', 'upsell'])[1 + id % 4])"
                " || CASE WHEN expected_close_date IS NULL THEN '{}'::jsonb ELSE jsonb_build_object("
                " 'decision_date', to_char(expected_close_date - 7, 'YYYY-MM-DD')) END"
            )

    def workflow_rules(self) -> None:
        """Through the rule services, so the definitions are validated and versioned like an admin's."""
        # Merge fields stay out of the translated text, so no translation can break them.
        first_name, owner = "{{ record.first_name }}", "{{ owner.first_name }} {{ owner.last_name }}"
        body = _("Hello %(name)s,\n\nthank you for choosing us. I am your contact for anything you need.")
        welcome = create_email_template(
            name=_("Welcome a new customer"),
            subject=_("Welcome, %(name)s") % {"name": first_name},
            body=body % {"name": first_name} + f"\n\n{owner}",
        )
        open_stages = Stage.objects.filter(pipeline__is_default=True, kind=StageKind.OPEN)
        negotiation = open_stages.order_by("-probability", "-position").first()
        if negotiation is not None:
            prepare_contract = {
                "type": ActionType.CREATE_ACTIVITY, "kind": "task",
                "subject": _("Prepare the contract for %(deal)s") % {"deal": "{{ record.name }}"},
                "due_in": {"days": 2, "hours": 0}, "assignee": "record_owner",
            }  # fmt: skip
            rule = create_rule(
                by=self.admin, name=_("Prepare the contract when a deal enters negotiation"), entity=Entity.DEAL,
                trigger=Trigger.STAGE_ENTERED, trigger_config={"stage_id": negotiation.pk},
                conditions={"match": "all", "conditions": []}, actions=[prepare_contract],
            )  # fmt: skip
            set_rule_active(rule, True, by=self.admin)
        new_customer = {
            "match": "all",
            "conditions": [
                {"field": "lifecycle_stage", "op": "eq", "value": "customer"},
                {"field": "email", "op": "is_not_empty", "value": None},
            ],
        }
        create_rule(
            by=self.admin, name=_("Welcome e-mail for new customers"), entity=Entity.CONTACT,
            trigger=Trigger.FIELD_CHANGED, trigger_config={"field": "lifecycle_stage"}, conditions=new_customer,
            actions=[{"type": ActionType.SEND_EMAIL, "template_id": welcome.pk, "to": "record"}],
        )  # fmt: skip
