"""``?custom.<key>[.<op>]=`` filters and ``?ordering=[-]custom.<key>`` on the record lists: typed
values, 400s naming the parameter, keyset cursor pages that neither skip nor repeat rows, and a
query count that does not grow with the page."""

from typing import Any

from django.test import Client

from customization.fields.choices import Entity, FieldType
from tests.api.rest_crm.helpers import api_client, field_names, queries_for
from tests.api.rest_custom.conftest import OPTIONS, TAG_OPTIONS, define
from tests.factories import ContactFactory, DealFactory, LeadFactory
from tests.tenancy import TenantFixture


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def walk(client: Client, path: str) -> tuple[list[int], list[str]]:
    """Every id over the pages from ``path`` on, and the next links followed."""
    seen: list[int] = []
    links: list[str] = []
    while path:
        response = client.get(path)
        seen += ids(response)
        path = response.json()["next"]
        if path:
            links.append(path)
    return seen, links


def test_filters_by_equality_range_option_and_emptiness(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        define(Entity.CONTACT, "tags", FieldType.MULTI_SELECT, options=TAG_OPTIONS)
        north = ContactFactory(custom={"region": "north", "score": 10, "tags": ["x", "y"]})
        south = ContactFactory(custom={"region": "south", "score": 4, "tags": ["y"]})
        empty = ContactFactory(custom={})
    client = api_client(alpha)

    assert ids(client.get("/api/v1/contacts/?custom.region=north")) == [north.pk]
    assert ids(client.get("/api/v1/contacts/?custom.score.gte=5")) == [north.pk]
    assert ids(client.get("/api/v1/contacts/?custom.score.gte=4&custom.score.lt=10")) == [south.pk]
    assert ids(client.get("/api/v1/contacts/?custom.tags.eq=x")) == [north.pk]
    assert ids(client.get("/api/v1/contacts/?custom.tags=y")) == [north.pk, south.pk]
    assert ids(client.get("/api/v1/contacts/?custom.score.isnull=true")) == [empty.pk]
    assert ids(client.get("/api/v1/contacts/?custom.score.isnull=false&custom.region.ne=north")) == [south.pk]


def test_filters_dates_money_and_text_by_their_own_rules(alpha: TenantFixture):
    with alpha.active():
        define(Entity.DEAL, "signed_on", FieldType.DATE)
        define(Entity.DEAL, "budget", FieldType.MONEY, currency="EUR")
        define(Entity.DEAL, "note", FieldType.TEXT)
        early = DealFactory(custom={"signed_on": "2026-01-15", "budget": {"amount": "9.50", "currency": "EUR"}})
        late = DealFactory(
            custom={"signed_on": "2026-06-01", "budget": {"amount": "120.00", "currency": "EUR"}, "note": "Big Fish"}
        )
    client = api_client(alpha)

    assert ids(client.get("/api/v1/deals/?custom.signed_on.lt=2026-03-01")) == [early.pk]
    assert ids(client.get("/api/v1/deals/?custom.budget.gte=10")) == [late.pk]
    assert ids(client.get("/api/v1/deals/?custom.budget=9.5")) == [early.pk]
    assert ids(client.get("/api/v1/deals/?custom.note.contains=fish")) == [late.pk]


def test_an_unknown_key_operator_or_bad_value_is_a_400_naming_the_parameter(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        define(Entity.CONTACT, "tags", FieldType.MULTI_SELECT, options=TAG_OPTIONS)
    client = api_client(alpha)

    for query, parameter in [
        ("custom.nope=1", "custom.nope"),
        ("custom.score.like=1", "custom.score.like"),
        ("custom.score.gte=lots", "custom.score.gte"),
        ("custom.tags.gt=x", "custom.tags.gt"),
        ("custom.tags=w", "custom.tags"),
        ("custom.score.isnull=maybe", "custom.score.isnull"),
    ]:
        response = client.get(f"/api/v1/contacts/?{query}")
        assert response.status_code == 400, query
        assert field_names(response) == [parameter], query


def test_an_archived_or_other_entitys_field_is_unknown_to_the_filters(alpha: TenantFixture):
    with alpha.active():
        define(Entity.COMPANY, "score", FieldType.NUMBER)

    response = api_client(alpha).get("/api/v1/contacts/?custom.score=1")

    assert response.status_code == 400
    assert field_names(response) == ["custom.score"]


def test_ordering_by_a_number_walks_every_page_once_with_empty_values_last(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        scores = [5, None, 12, 5, 3, None, 5, 100, 12, 3, None]
        contacts = [ContactFactory(custom={} if score is None else {"score": score}) for score in scores]
    by_score = sorted(
        ((score, contact.pk) for score, contact in zip(scores, contacts, strict=True) if score is not None)
    )
    empties = [contact.pk for score, contact in zip(scores, contacts, strict=True) if score is None]
    client = api_client(alpha)

    ascending, links = walk(client, "/api/v1/contacts/?ordering=custom.score&page_size=2")
    descending, _links = walk(client, "/api/v1/contacts/?ordering=-custom.score&page_size=3")

    assert ascending == [pk for _score, pk in by_score] + empties
    assert len(links) == 5
    descending_expected = [pk for _score, pk in sorted(by_score, key=lambda item: (-item[0], -item[1]))]
    assert descending == descending_expected + sorted(empties, reverse=True)


def test_previous_links_walk_back_over_the_same_pages(alpha: TenantFixture):
    with alpha.active():
        define(Entity.LEAD, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        values = ["south", None, "north", "south", "north", None, "north"]
        leads = [LeadFactory(custom={} if value is None else {"region": value}) for value in values]
    client = api_client(alpha)
    pages: list[list[int]] = []
    response = client.get("/api/v1/leads/?ordering=custom.region&page_size=2")
    while True:
        pages.append(ids(response))
        if not response.json()["next"]:
            break
        response = client.get(response.json()["next"])

    back: list[list[int]] = [ids(response)]
    while response.json()["previous"]:
        response = client.get(response.json()["previous"])
        back.append(ids(response))

    pks = [lead.pk for lead in leads]
    with_value = sorted((value, pk) for value, pk in zip(values, pks, strict=True) if value is not None)
    empty = [pk for value, pk in zip(values, pks, strict=True) if value is None]
    expected = [pk for _value, pk in with_value] + empty
    assert [pk for page in pages for pk in page] == expected
    assert back == list(reversed(pages))


def test_ordering_by_money_sorts_by_amount_numerically(alpha: TenantFixture):
    with alpha.active():
        define(Entity.DEAL, "budget", FieldType.MONEY, currency="EUR")
        small = DealFactory(custom={"budget": {"amount": "9.00", "currency": "EUR"}})
        large = DealFactory(custom={"budget": {"amount": "100.00", "currency": "EUR"}})
        middle = DealFactory(custom={"budget": {"amount": "20.50", "currency": "USD"}})

    response = api_client(alpha).get("/api/v1/deals/?ordering=-custom.budget&page_size=2")
    following = api_client(alpha).get(response.json()["next"])

    assert ids(response) + ids(following) == [large.pk, middle.pk, small.pk]
    assert following.json()["next"] is None


def test_ordering_by_an_unknown_field_or_a_forged_cursor_is_refused(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "score", FieldType.NUMBER)
    client = api_client(alpha)

    unknown = client.get("/api/v1/contacts/?ordering=custom.nope")
    plain_cursor = client.get("/api/v1/contacts/?ordering=custom.score&cursor=cD0z")

    assert unknown.status_code == 400
    assert field_names(unknown) == ["ordering"]
    assert plain_cursor.status_code == 404
    assert plain_cursor["Content-Type"] == "application/problem+json"


def test_the_plain_orderings_still_work_beside_custom_ones(alpha: TenantFixture):
    with alpha.active():
        first = ContactFactory(first_name="Zed", last_name="Z")
        second = ContactFactory(first_name="Abe", last_name="A")

    response = api_client(alpha).get("/api/v1/contacts/?ordering=full_name")

    assert ids(response) == [second.pk, first.pk]


def test_the_list_query_count_does_not_grow_with_rows_or_custom_filters(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        define(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        for number in range(5):
            ContactFactory(custom={"score": number, "region": "north"})
    client = api_client(alpha)
    path = "/api/v1/contacts/?custom.region=north&ordering=-custom.score&page_size=100"

    five, _ = queries_for(client, path)
    with alpha.active():
        for number in range(45):
            ContactFactory(custom={"score": number, "region": "north"})
    fifty, response = queries_for(client, path)
    plain, _ = queries_for(client, "/api/v1/contacts/?page_size=100")

    assert len(response.json()["results"]) == 50
    assert five == fifty
    assert fifty == plain
