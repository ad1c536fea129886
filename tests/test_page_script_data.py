"""Posted values reflected into a page reach its scripts only as json_script data: never inside an
Alpine expression, a handler attribute or an inline script, where the browser would run them."""

from __future__ import annotations

from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition
from modules.contacts.models import Company, Contact
from modules.sales.models import Lead
from tests.customization.fields.conftest import define
from tests.factories import LeadFactory
from tests.page_markup import page_markup
from tests.tenancy import TenantFixture

BREAKS_OUT_OF_A_STRING = "'});alert(1);({a:'"
BREAKS_OUT_OF_A_SCRIPT = "</script><script>alert(1)</script>"


def test_a_posted_company_choice_on_the_lead_conversion_reaches_its_component_as_data(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(first_name="Ida", last_name="Payload", company_name="Payload Ltd")

    response = alpha.client().post(
        f"/leads/{lead.pk}/convert/",
        {"company_choice": BREAKS_OUT_OF_A_STRING, "contact_choice": BREAKS_OUT_OF_A_SCRIPT},
    )

    markup = page_markup(response.content)
    assert response.status_code == 400
    assert markup.code_containing("alert(1)") == []
    assert markup.inline_scripts == []
    assert markup.json_value("lead-conversion-company") == BREAKS_OUT_OF_A_STRING
    assert markup.json_value("lead-conversion-contact") == BREAKS_OUT_OF_A_SCRIPT
    assert ("x-data", "leadConversion") in markup.alpine_expressions
    with alpha.active():
        assert Lead.objects.get(pk=lead.pk).status != "converted"
        assert not Company.objects.filter(name="Payload Ltd").exists()
        assert not Contact.objects.filter(full_name="Ida Payload").exists()


def test_a_posted_field_type_on_the_new_custom_field_form_reaches_its_component_as_data(alpha: TenantFixture):
    response = alpha.client().post(
        "/settings/fields/new/?entity=contact",
        {"label": "Tier", "key": "tier", "field_type": BREAKS_OUT_OF_A_STRING},
    )

    markup = page_markup(response.content)
    assert response.status_code == 400
    assert markup.code_containing("alert(1)") == []
    assert markup.inline_scripts == []
    assert markup.json_value("field-type-initial") == BREAKS_OUT_OF_A_STRING
    assert ("x-data", "customFieldForm") in markup.alpine_expressions
    with alpha.active():
        assert not CustomFieldDefinition.objects.filter(key="tier").exists()


def test_a_posted_field_type_on_the_type_change_reaches_its_component_as_data(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "tier", FieldType.TEXT)

    response = alpha.client().post(
        f"/settings/fields/{definition.pk}/type/", {"field_type": BREAKS_OUT_OF_A_SCRIPT, "action": "apply"}
    )

    markup = page_markup(response.content)
    assert response.status_code == 400
    assert markup.code_containing("alert(1)") == []
    assert markup.inline_scripts == []
    assert markup.json_value("field-type-initial") == BREAKS_OUT_OF_A_SCRIPT
    with alpha.active():
        assert CustomFieldDefinition.objects.get(pk=definition.pk).field_type == FieldType.TEXT


def test_a_removed_option_named_by_the_admin_reaches_the_edit_form_as_data(alpha: TenantFixture):
    with alpha.active():
        definition = define(
            Entity.CONTACT, "territory", FieldType.SINGLE_SELECT, options=[{"value": "north", "label": "North"}]
        )

    response = alpha.client().post(
        f"/settings/fields/{definition.pk}/",
        {"label": "", "option_value": ["south"], "option_label": ["South"],
         "replace_removed_with": BREAKS_OUT_OF_A_STRING},
    )  # fmt: skip

    markup = page_markup(response.content)
    assert response.status_code == 400
    assert markup.code_containing("alert(1)") == []
    assert markup.json_value("replace-removed-with") == BREAKS_OUT_OF_A_STRING
    with alpha.active():
        assert CustomFieldDefinition.objects.get(pk=definition.pk).options == [{"value": "north", "label": "North"}]
