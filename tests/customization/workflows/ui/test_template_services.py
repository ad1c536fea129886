"""E-mail template services: only the documented placeholders, unique names, in-use templates stay."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.workflows.models import EmailTemplate
from customization.workflows.services import (
    create_email_template,
    delete_email_template,
    update_email_template,
)
from tests.customization.workflows.ui.conftest import make_rule
from tests.tenancy import TenantFixture


def test_a_template_with_the_documented_placeholders_is_saved(alpha: TenantFixture):
    with alpha.active():
        template = create_email_template(
            name=" Proposal sent ",
            subject="{{ record.name }} — proposal",
            body="Hi {{ owner.first_name }} {{owner.last_name}},\n{{ record.custom.region }} / {{ owner.email }}",
        )

        assert (template.name, template.subject) == ("Proposal sent", "{{ record.name }} — proposal")


@pytest.mark.parametrize(
    ("field", "text", "named"),
    [
        ("body", "Dear {{ owner.password }}", "{{ owner.password }}"),
        ("body", "{{ record.owner.password }}", "{{ record.owner.password }}"),
        ("subject", "{{ settings.SECRET_KEY }}", "{{ settings.SECRET_KEY }}"),
        ("body", "{{ record.name|upper }}", "{{ record.name|upper }}"),
        ("body", "{% load static %}hello", "{%"),
        ("body", "{# note #}hello", "{#"),
        ("subject", "Hello {{ record.name", "{{ record.<field> }}"),
    ],
)
def test_other_template_syntax_is_refused_with_the_offending_placeholder_named(
    alpha: TenantFixture, field: str, text: str, named: str
):
    values = {"name": "Bad", "subject": "Fine", "body": "Fine", field: text}
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            create_email_template(**values)

        assert EmailTemplate.objects.count() == 0
    assert list(refused.value.message_dict) == [field]
    assert named in refused.value.message_dict[field][0]


def test_names_are_unique_and_updates_are_validated_too(alpha: TenantFixture):
    with alpha.active():
        create_email_template(name="Welcome", subject="Hi", body="Hello")
        other = create_email_template(name="Other", subject="Hi", body="Hello")

        with pytest.raises(ValidationError) as duplicate:
            create_email_template(name="welcome", subject="Hi", body="Hello")
        with pytest.raises(ValidationError) as bad:
            update_email_template(other, body="{{ record.secret.thing }}")

        other.refresh_from_db()
        assert list(duplicate.value.message_dict) == ["name"]
        assert list(bad.value.message_dict) == ["body"]
        assert other.body == "Hello"
        assert EmailTemplate.objects.count() == 2


def test_a_template_a_rule_sends_cannot_be_deleted(alpha: TenantFixture):
    with alpha.active():
        used = create_email_template(name="Used", subject="Hi", body="Hello")
        unused = create_email_template(name="Unused", subject="Hi", body="Hello")
        make_rule(actions=[{"type": "send_email", "template_id": used.pk, "to": "owner"}])

        with pytest.raises(ValidationError) as refused:
            delete_email_template(used)
        delete_email_template(unused)

        assert list(EmailTemplate.objects.values_list("name", flat=True)) == ["Used"]
    assert "Proposal follow-up" in refused.value.message_dict["template"][0]
