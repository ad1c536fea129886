"""Settings → Custom fields pages: permissions, forms, archive and purge, tenant isolation."""

from __future__ import annotations

import re

import pytest

from customization.fields.choices import Entity, FieldType, IndexState
from customization.fields.models import CustomFieldDefinition
from modules.contacts.models import Contact
from tests.customization.fields.conftest import define, region_options
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

LIST = "/settings/fields/"


def _definitions(tenant: TenantFixture) -> list[tuple[str, str, str]]:
    with tenant.active():
        return list(CustomFieldDefinition.objects.order_by("pk").values_list("entity", "key", "label"))


def test_an_admin_sees_each_record_types_fields_with_their_index_state(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "territory", FieldType.SINGLE_SELECT, options=region_options())
        score = define(Entity.CONTACT, "score", FieldType.NUMBER, is_indexed=True)
        CustomFieldDefinition.objects.filter(pk=score.pk).update(
            index_state=IndexState.FAILED, index_error="could not create unique index"
        )
        define(Entity.COMPANY, "tier", FieldType.TEXT)

    response = alpha.client().get(LIST, {"entity": "contact"})

    assert response.status_code == 200
    page = response.content.decode()
    assert re.findall(r'data-testid="field-label">([^<]+)<', page) == ["Territory", "Score"]
    assert "Index failed" in page
    assert "could not create unique index" in page
    assert "Tier" not in page


def test_the_list_defaults_to_companies_and_refuses_unknown_record_types(alpha: TenantFixture):
    with alpha.active():
        define(Entity.COMPANY, "tier", FieldType.TEXT)
    client = alpha.client()

    assert re.findall(r'data-testid="field-label">([^<]+)<', client.get(LIST).content.decode()) == ["Tier"]
    assert client.get(LIST, {"entity": "planet"}).status_code == 404


@pytest.mark.parametrize("path", [LIST, f"{LIST}new/", f"{LIST}1/", f"{LIST}1/type/", f"{LIST}1/purge/"])
def test_a_sales_rep_is_refused(alpha: TenantFixture, path: str):
    response = alpha.client(email=REP_EMAIL).get(path)

    assert response.status_code == 403
    assert "Your role does not include" in response.content.decode()


def test_a_sales_rep_cannot_create_a_field(alpha: TenantFixture):
    response = alpha.client(email=REP_EMAIL).post(
        f"{LIST}new/?entity=contact", {"label": "Territory", "key": "territory", "field_type": "text"}
    )

    assert response.status_code == 403
    assert _definitions(alpha) == []


def test_an_admin_creates_a_select_field_with_options_and_translations(alpha: TenantFixture):
    response = alpha.client().post(
        f"{LIST}new/?entity=contact",
        {
            "label": "Territory",
            "key": "territory",
            "field_type": "single_select",
            "option_value": ["north", "south", ""],
            "option_label": ["North", "", ""],
            "default": "south",
            "label_ro": "Teritoriu",
            "required": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?entity=contact"
    with alpha.active():
        definition = CustomFieldDefinition.objects.get()
        assert (definition.entity, definition.key, definition.field_type, definition.required) == (
            "contact",
            "territory",
            "single_select",
            True,
        )
        assert definition.options == [{"value": "north", "label": "North"}, {"value": "south", "label": "south"}]
        assert (definition.default, definition.label_translations) == ("south", {"ro": "Teritoriu"})


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"label": "Mail", "key": "email", "field_type": "text"}, "key", "“email” is a standard field"),
        ({"label": "Tier", "key": "Tier!", "field_type": "text"}, "key", "Use lower-case letters"),
        ({"label": "Tier", "key": "tier", "field_type": "single_select"}, "options", "Add at least one option."),
        (
            {"label": "Size", "key": "size", "field_type": "number", "default": "big"},
            "default",
            "Enter a whole number.",
        ),
        ({"label": "", "key": "tier", "field_type": "text"}, "label", "This field is required."),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_written(
    alpha: TenantFixture, data: dict, field: str, message: str
):
    response = alpha.client().post(f"{LIST}new/?entity=contact", data)

    assert response.status_code == 400
    errors = re.search(rf'data-testid="error-{field}">([^<]+)<', response.content.decode())
    assert errors is not None
    assert errors.group(1).strip().startswith(message)
    assert _definitions(alpha) == []


def test_an_admin_edits_a_field_and_replaces_a_removed_option(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "territory", FieldType.SINGLE_SELECT, options=region_options())
        contact = ContactFactory(custom={"territory": "south"})
    client = alpha.client()
    data = {"label": "Area", "option_value": ["north"], "option_label": ["North"]}

    refused = client.post(f"{LIST}{definition.pk}/", data)
    replaced = client.post(f"{LIST}{definition.pk}/", {**data, "replace_removed_with": "north"})

    assert refused.status_code == 400
    assert "1 record uses a removed option (south)" in refused.content.decode()
    assert replaced.status_code == 302
    with alpha.active():
        definition.refresh_from_db()
        assert (definition.label, definition.option_values) == ("Area", ["north"])
        assert Contact.objects.get(pk=contact.pk).custom == {"territory": "north"}


def test_a_bad_edit_is_shown_on_its_field_and_changes_nothing(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "badge", FieldType.BOOLEAN)

    blank = alpha.client().post(f"{LIST}{definition.pk}/", {"label": " ", "section": "Changed"})
    unique = alpha.client().post(f"{LIST}{definition.pk}/", {"label": "Badge", "is_unique": "on"})

    assert (blank.status_code, unique.status_code) == (400, 400)
    assert 'data-testid="error-label">This field is required.' in blank.content.decode()
    assert 'data-testid="error-is_unique">Fields of this type cannot be unique.' in unique.content.decode()
    with alpha.active():
        definition.refresh_from_db()
        assert (definition.label, definition.section, definition.is_unique) == ("Badge", "", False)


def test_the_edit_form_shows_the_stored_values(alpha: TenantFixture):
    with alpha.active():
        definition = define(
            Entity.DEAL,
            "budget",
            FieldType.MONEY,
            currency="EUR",
            default="12.5",
            label_translations={"fr": "Budget €"},
        )

    page = alpha.client().get(f"{LIST}{definition.pk}/").content.decode()

    assert 'data-testid="field-key">budget<' in page
    assert 'name="default" id="id_default" class="form-control" value="12.50"' in page
    assert 'value="Budget €"' in page


def test_the_type_change_previews_then_converts(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "employees", FieldType.TEXT)
        good = ContactFactory(custom={"employees": "42"})
        bad = ContactFactory(custom={"employees": "lots"})
    client = alpha.client()
    path = f"{LIST}{definition.pk}/type/"

    preview = client.post(path, {"field_type": "number", "action": "preview"})
    refused = client.post(path, {"field_type": "number", "action": "apply"})
    with alpha.active():
        unchanged = [Contact.objects.get(pk=c.pk).custom for c in (good, bad)]
    applied = client.post(path, {"field_type": "number", "action": "apply", "drop_unconvertible": "on"})

    assert preview.status_code == 200
    assert 'data-testid="conversion-report"' in preview.content.decode()
    assert f"<td>#{bad.pk}</td><td><code>lots</code></td><td>Enter a whole number.</td>" in preview.content.decode()
    assert refused.status_code == 400
    assert "1 value cannot be converted." in refused.content.decode()
    assert unchanged == [{"employees": "42"}, {"employees": "lots"}]
    assert applied.status_code == 302
    with alpha.active():
        assert [Contact.objects.get(pk=c.pk).custom for c in (good, bad)] == [{"employees": 42}, {}]
        assert CustomFieldDefinition.objects.get(pk=definition.pk).field_type == FieldType.NUMBER


def test_archive_restore_and_purge_with_a_typed_confirmation(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "badge", FieldType.TEXT)
        contact = ContactFactory(custom={"badge": "A1"})
    client = alpha.client()
    base = f"{LIST}{definition.pk}"

    assert client.get(f"{base}/purge/").status_code == 404  # only archived fields can be purged
    assert client.post(f"{base}/archive/").status_code == 302
    listed = client.get(LIST, {"entity": "contact"}).content.decode()
    assert 'data-testid="archived-row"' in listed
    assert client.post(f"{base}/restore/").status_code == 302
    with alpha.active():
        assert CustomFieldDefinition.objects.get(pk=definition.pk).archived_at is None
    client.post(f"{base}/archive/")

    wrong = client.post(f"{base}/purge/", {"confirm_key": "Badge"})
    with alpha.active():
        assert CustomFieldDefinition.objects.filter(pk=definition.pk).exists()
        assert Contact.objects.get(pk=contact.pk).custom == {"badge": "A1"}
    purged = client.post(f"{base}/purge/", {"confirm_key": "badge"})

    assert wrong.status_code == 400
    assert "Type “badge” exactly." in wrong.content.decode()
    assert purged.status_code == 302
    with alpha.active():
        assert not CustomFieldDefinition.objects.filter(pk=definition.pk).exists()
        assert Contact.objects.get(pk=contact.pk).custom == {}


def test_fields_are_reordered_by_drag_and_by_buttons(alpha: TenantFixture):
    with alpha.active():
        a, b, c = (define(Entity.LEAD, key, FieldType.TEXT) for key in ("a", "b", "c"))
    client = alpha.client()

    dragged = client.post(f"{LIST}reorder/lead/", {"order": [c.pk, a.pk, b.pk]}, HTTP_X_REQUESTED_WITH="fetch")
    stale = client.post(f"{LIST}reorder/lead/", {"order": [c.pk, a.pk]}, HTTP_X_REQUESTED_WITH="fetch")
    moved = client.post(f"{LIST}{b.pk}/move/", {"direction": "up"})

    assert (dragged.status_code, dragged.json()) == (200, {"order": [c.pk, a.pk, b.pk]})
    assert stale.status_code == 400
    assert moved.status_code == 302
    with alpha.active():
        keys = CustomFieldDefinition.objects.filter(entity="lead").order_by("position").values_list("key", flat=True)
        assert list(keys) == ["c", "b", "a"]


def test_the_list_costs_a_fixed_number_of_queries(alpha: TenantFixture, django_assert_max_num_queries):
    client = alpha.client()
    with alpha.active():
        for index in range(30):
            define(Entity.DEAL, f"field_{index}", FieldType.SINGLE_SELECT, options=region_options())

    with django_assert_max_num_queries(7):
        response = client.get(LIST, {"entity": "deal"})

    assert len(re.findall(r'data-testid="field-row"', response.content.decode())) == 30


def test_beta_cannot_see_or_change_alphas_fields(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "secret_code", FieldType.TEXT)
        archived = define(Entity.CONTACT, "old_code", FieldType.TEXT)
        CustomFieldDefinition.objects.filter(pk=archived.pk).update(archived_at="2026-01-01T00:00:00Z")
    base = f"{LIST}{definition.pk}"

    assert "secret_code" not in beta.client().get(LIST, {"entity": "contact"}).content.decode()
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"{base}/", {}),
            ("post", f"{base}/", {"label": "Stolen"}),
            ("post", f"{base}/type/", {"field_type": "number", "action": "apply"}),
            ("post", f"{base}/archive/", {}),
            ("post", f"{base}/restore/", {}),
            ("post", f"{base}/move/", {"direction": "up"}),
            ("post", f"{LIST}{archived.pk}/purge/", {"confirm_key": "old_code"}),
        ],
    )
    assert _definitions(beta) == []
    with alpha.active():
        before = list(CustomFieldDefinition.objects.order_by("pk").values_list("pk", "position"))
    reorder = beta.client().post(f"{LIST}reorder/contact/", {"order": [definition.pk]}, HTTP_X_REQUESTED_WITH="fetch")
    assert reorder.status_code == 400
    with alpha.active():
        assert list(CustomFieldDefinition.objects.order_by("pk").values_list("pk", "position")) == before
