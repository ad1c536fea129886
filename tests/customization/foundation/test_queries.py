"""Filtering and sorting by custom fields: the query helpers pages, REST and GraphQL share."""

import pytest
from django.core.exceptions import ValidationError

from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition
from customization.fields.queries import filter_by_custom, order_by_custom
from modules.contacts.models import Contact
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture


def _field(key: str, field_type: str, **options: object) -> CustomFieldDefinition:
    return CustomFieldDefinition.objects.create(
        entity=Entity.CONTACT, key=key, label=key.title(), field_type=field_type, **options
    )


def _names(queryset: object) -> list[str]:
    return [contact.last_name for contact in queryset]  # type: ignore[attr-defined]


def test_numbers_sort_as_numbers_with_empty_values_last(alpha: TenantFixture) -> None:
    with alpha.active():
        score = _field("score", FieldType.DECIMAL)
        for name, value in [("Nine", "9"), ("Ten", "10.5"), ("Empty", None), ("Minus", "-2")]:
            ContactFactory(last_name=name, custom={} if value is None else {"score": value})

        assert _names(order_by_custom(Contact.objects.all(), score)) == ["Minus", "Nine", "Ten", "Empty"]
        assert _names(order_by_custom(Contact.objects.all(), score, descending=True)) == [
            "Ten", "Nine", "Minus", "Empty",
        ]  # fmt: skip
        assert _names(filter_by_custom(Contact.objects.order_by("id"), score, "gte", "9")) == ["Nine", "Ten"]


def test_money_filters_by_amount_and_by_currency_when_given(alpha: TenantFixture) -> None:
    with alpha.active():
        budget = _field("budget", FieldType.MONEY)  # no default currency
        ContactFactory(last_name="Euro", custom={"budget": {"amount": "100.00", "currency": "EUR"}})
        ContactFactory(last_name="Leu", custom={"budget": {"amount": "500.00", "currency": "RON"}})
        ContactFactory(last_name="None")

        everyone = Contact.objects.order_by("id")
        assert _names(filter_by_custom(everyone, budget, "gte", "100")) == ["Euro", "Leu"]
        assert _names(filter_by_custom(everyone, budget, "gte", {"amount": "100", "currency": "RON"})) == ["Leu"]
        with pytest.raises(ValidationError) as error:
            filter_by_custom(everyone, budget, "gte", "a lot")
        assert list(error.value.message_dict) == ["custom.budget"]


def test_selects_emptiness_and_refused_operators(alpha: TenantFixture) -> None:
    with alpha.active():
        options = [{"value": v, "label": v.title()} for v in ("red", "blue")]
        colours = _field("colours", FieldType.MULTI_SELECT, options=options)
        shade = _field("shade", FieldType.SINGLE_SELECT, options=options)
        ContactFactory(last_name="Both", custom={"colours": ["red", "blue"], "shade": "red"})
        ContactFactory(last_name="Blue", custom={"colours": ["blue"]})
        ContactFactory(last_name="Nothing")

        everyone = Contact.objects.order_by("id")
        assert _names(filter_by_custom(everyone, colours, "eq", "red")) == ["Both"]
        assert _names(filter_by_custom(everyone, shade, "isnull", "true")) == ["Blue", "Nothing"]
        assert _names(filter_by_custom(everyone, shade, "ne", "red")) == ["Blue", "Nothing"]
        with pytest.raises(ValidationError) as error:
            filter_by_custom(everyone, shade, "gt", "red", param="cf.shade.gt")
        assert list(error.value.message_dict) == ["cf.shade.gt"]
        with pytest.raises(ValidationError):
            filter_by_custom(everyone, shade, "eq", "green")


def test_an_index_task_queued_in_one_tenant_never_touches_anothers_field(
    alpha: TenantFixture, beta: TenantFixture
) -> None:
    from customization.fields.indexes import sync_index

    with alpha.active():
        region = _field("region_code", FieldType.TEXT, is_indexed=True, index_state="building")

    with beta.active():
        # The task runs in the schema it was sent from: beta has no field with alpha's id.
        assert sync_index(region.pk) == "none"

    with alpha.active():
        region.refresh_from_db()
        assert (region.index_state, region.index_error) == ("building", "")
