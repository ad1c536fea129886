"""REST /api/v1/marketing-emails/ and the GraphQL marketingEmails field and mutations: drafts
written through the e-mail services, content checked as the editor checks it (errors keyed by the
block's path, unknown merge fields named), bad input a 400 naming the field with nothing written,
only drafts change, the preview as a chosen contact."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from graphql_relay import to_global_id

from modules.marketing.choices import EmailStatus
from modules.marketing.delivery.services.sends import schedule_send
from modules.marketing.models import MarketingEmail, Segment, Topic
from modules.marketing.services.campaigns import create_campaign
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client, field_names, patch, post
from tests.factories import CompanyFactory, ContactFactory
from tests.marketing.email.conftest import BLOCKS, make_email
from tests.tenancy import TenantFixture, schema_snapshot

URL = "/api/v1/marketing-emails/"


def test_a_draft_is_created_changed_read_and_deleted_through_rest(alpha: TenantFixture):
    with alpha.active():
        campaign = create_campaign(by=None, name="Spring", owner=alpha.user())
        segment = Segment.objects.create(name="Readers", kind="static")
        topic = Topic.objects.create(key="news", name="News")
    client = api_client(alpha)

    created = post(client, URL, {
        "name": "Spring newsletter", "subject": "Hi {{ contact.first_name | default: \"there\" }}",
        "campaign": campaign.pk, "segment": segment.pk, "topic": topic.pk, "content": BLOCKS,
        "from_address": "News@Acme.Example", "ab_percent": 20, "subject_b": "Spring is here",
    })  # fmt: skip
    pk = created.json()["id"]
    changed = patch(client, f"{URL}{pk}/", {"preheader": "What is new", "track_clicks": False})
    read = client.get(f"{URL}{pk}/").json()
    listed = client.get(URL, {"segment": segment.pk, "status": "draft"}).json()["results"]
    deleted = client.delete(f"{URL}{pk}/")

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["figures"], body["from_address"]) == ("draft", None, "news@acme.example")
    assert body["campaign"] == {"id": campaign.pk, "name": "Spring"}
    assert (body["segment"]["name"], body["topic"]["name"]) == ("Readers", "News")
    assert [block["type"] for block in body["content"]] == [block["type"] for block in BLOCKS]
    assert changed.status_code == 200, changed.content
    assert (read["preheader"], read["track_clicks"], read["ab_percent"]) == ("What is new", False, 20)
    assert [row["id"] for row in listed] == [pk]
    assert deleted.status_code == 204
    with alpha.active():
        assert not MarketingEmail.objects.filter(pk=pk).exists()


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(alpha: TenantFixture):
    email = make_email(alpha)
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)
    link = {"type": "button", "label": "Go", "href": "javascript:alert(1)"}
    cases = [
        ({"name": "Nul\x00"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Subject", "subject": "Hi {{ contact.shoe_size }}"}, "subject"),
        ({"name": "Broken", "subject": "Hi {{ contact.first name }}"}, "subject"),
        ({"name": "Blocks", "content": [{"type": "text", "html": "<p>ok</p>"}, link]}, "content[1].href"),
        ({"name": "Image", "content": [{"type": "image", "src": "http://cdn.example/a.png"}]}, "content[0].src"),
        ({"name": "Kind", "content": [{"type": "video"}]}, "content[0].type"),
        ({"name": "Nul text", "content": [{"type": "heading", "text": "A\x00B"}]}, "content[0].text"),
        ({"name": "Huge", "content": [{"type": "divider"}] * 101}, "content"),
        ({"name": "Shape", "content": {"type": "text"}}, "content"),
        ({"name": "Merge", "content": [{"type": "text", "html": "<p>{{ contact.nope }}</p>"}]}, "content"),
        ({"name": "A/B", "ab_percent": 60, "subject_b": "B"}, "ab_percent"),
        ({"name": "A/B", "ab_percent": 10}, "subject_b"),
        ({"name": "Sender", "from_address": "not an address"}, "from_address"),
        ({"name": "Segment", "segment": 2**40}, "segment"),
    ]
    for body, field in cases:
        response = post(client, URL, body)
        assert response.status_code == 400, (body, response.content)
        assert field in field_names(response), (body, response.json())
    unknown = post(client, URL, {"name": "Unknown", "subject": "Hi {{ contact.shoe_size }}"})
    changed = patch(client, f"{URL}{email.pk}/", {"content": [{"type": "button", "label": "", "href": ""}]})

    assert "contact.shoe_size" in unknown.json()["errors"][0]["message"]
    assert changed.status_code == 400
    assert set(field_names(changed)) == {"content[0].label", "content[0].href"}
    assert schema_snapshot(alpha.tenant) == before


def test_only_a_draft_changes_or_goes(alpha: TenantFixture):
    email = make_email(alpha)
    with alpha.active():
        segment = Segment.objects.create(name="Scheduled readers", kind="static")
        MarketingEmail.objects.filter(pk=email.pk).update(segment=segment)
        email.refresh_from_db()
        schedule_send(email, at=timezone.now() + timedelta(days=2), by=None)
    client = api_client(alpha)

    changed = patch(client, f"{URL}{email.pk}/", {"name": "Renamed"})
    deleted = client.delete(f"{URL}{email.pk}/")

    assert (changed.status_code, field_names(changed)) == (400, ["status"])
    assert (deleted.status_code, field_names(deleted)) == (400, ["status"])
    with alpha.active():
        email.refresh_from_db()
    assert (email.name, email.status) == ("Spring newsletter", EmailStatus.SCHEDULED)


def test_the_preview_renders_as_a_contact_the_caller_may_see(alpha: TenantFixture):
    email = make_email(alpha)
    with alpha.active():
        contact = ContactFactory(first_name="Ada", company=CompanyFactory(name="Engines Ltd"), owner=alpha.user())
    client = api_client(alpha)

    as_contact = client.get(f"{URL}{email.pk}/preview/", {"contact": contact.pk})
    fallback = client.get(f"{URL}{email.pk}/preview/")
    nobody = client.get(f"{URL}{email.pk}/preview/", {"contact": 2**40})
    graphql = post_graphql(
        alpha.client(),
        "query($id: ID!, $contact: ID) { marketingEmailPreview(id: $id, contact: $contact) { subject html text } }",
        {"id": to_global_id("MarketingEmail", email.pk), "contact": to_global_id("Contact", contact.pk)},
    ).json()

    assert as_contact.status_code == 200, as_contact.content
    assert as_contact.json()["subject"] == "Spring news, Ada"
    assert "Engines Ltd" in as_contact.json()["html"]
    assert "Hello Ada" in as_contact.json()["text"]
    assert fallback.json()["subject"] == "Spring news, friend"
    assert (nobody.status_code, field_names(nobody)) == (400, ["contact"])
    assert graphql["data"]["marketingEmailPreview"]["subject"] == "Spring news, Ada"


def test_graphql_writes_drafts_and_names_the_faulty_block(alpha: TenantFixture):
    with alpha.active():
        segment = Segment.objects.create(name="GraphQL readers", kind="static")
    client = alpha.client()
    created = post_graphql(
        client,
        """mutation($input: MarketingEmailInput!) { marketingEmailCreate(input: $input) {
        marketingEmail { id name status segment { id name } content figures { sent } } errors { field code } } }""",
        {"input": {"name": "GraphQL news", "subject": "Hello", "segment": segment.pk, "content": BLOCKS}},
    ).json()["data"]["marketingEmailCreate"]
    email_id = created["marketingEmail"]["id"]
    bad = post_graphql(
        client,
        """mutation($id: ID!, $input: MarketingEmailInput!) { marketingEmailUpdate(id: $id, input: $input) {
        errors { field code } } }""",
        {"id": email_id, "input": {"content": [{"type": "image", "src": "ftp://x"}], "subject": "{{ nope }}"}},
    ).json()["data"]["marketingEmailUpdate"]
    listed = post_graphql(client, "{ marketingEmails(first: 5, status: DRAFT) { edges { node { id name } } } }").json()[
        "data"
    ]["marketingEmails"]["edges"]
    deleted = post_graphql(
        client, "mutation($id: ID!) { marketingEmailDelete(id: $id) { deletedId errors { field } } }", {"id": email_id}
    ).json()["data"]["marketingEmailDelete"]

    assert created["errors"] == []
    assert created["marketingEmail"]["status"] == "DRAFT"
    # The segment is a link to the Segment node.
    assert created["marketingEmail"]["segment"] == {
        "id": to_global_id("Segment", segment.pk),
        "name": "GraphQL readers",
    }
    assert created["marketingEmail"]["figures"] is None
    assert bad["errors"] == [{"field": "content[0].src", "code": "INVALID"}]  # blocks are checked first
    assert [edge["node"]["name"] for edge in listed] == ["GraphQL news"]
    assert deleted == {"deletedId": email_id, "errors": []}
