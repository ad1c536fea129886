"""Open and click tracking: signed tokens salted with the workspace, unique and total counts, the
contact's timeline and the outbox events, no open redirect, and another workspace's token → 404
with nothing recorded."""

from __future__ import annotations

from django.utils import timezone

from customization.events.models import DomainEvent
from modules.contacts.models import TimelineEntry
from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import Click, Recipient
from modules.marketing.delivery.tracking import click_token, links_of, open_token, with_tracking
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.tenancy import TenantFixture


def _sent_recipient(fixture: TenantFixture) -> Recipient:
    with fixture.active():
        segment, (contact,) = audience(1)
        email = marketing_email(segment)
        return Recipient.objects.create(
            email=email, contact=contact, address=contact.email, state=RecipientState.SENT,
            message_id="<t@alpha.example>", sent_at=timezone.now(),
        )  # fmt: skip


def test_an_open_is_counted_once_as_unique_and_every_time_in_total(alpha: TenantFixture) -> None:
    recipient = _sent_recipient(alpha)
    with alpha.active():
        token = open_token(recipient.pk)
    client = alpha.client(None)

    first = client.get(f"/m/o/{token}/")
    second = client.get(f"/m/o/{token}/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first["Content-Type"] == "image/gif"
    with alpha.active():
        recipient.refresh_from_db()
        assert recipient.opens == 2
        assert recipient.opened_at is not None
        entries = TimelineEntry.objects.filter(contact_id=recipient.contact_id, kind="marketing_email")
        assert [entry.data["event"] for entry in entries] == ["opened"]
        events = DomainEvent.objects.filter(type="marketing_email.opened", record_id=recipient.contact_id)
        assert [(event.entity, event.data) for event in events] == [("contact", {"id": recipient.email_id})]


def test_a_click_redirects_to_the_signed_link_and_counts_per_link(alpha: TenantFixture) -> None:
    recipient = _sent_recipient(alpha)
    with alpha.active():
        news = click_token(recipient.pk, "https://example.com/news")
        shop = click_token(recipient.pk, "https://example.com/shop")
    client = alpha.client(None)

    responses = [client.get(f"/m/c/{token}/") for token in (news, news, shop)]

    assert [response.status_code for response in responses] == [302, 302, 302]
    assert [response["Location"] for response in responses] == [
        "https://example.com/news", "https://example.com/news", "https://example.com/shop",
    ]  # fmt: skip
    with alpha.active():
        recipient.refresh_from_db()
        assert (recipient.clicks, recipient.opens) == (3, 1)  # a click is an open too
        assert recipient.first_click_at is not None
        assert sorted(Click.objects.filter(recipient=recipient).values_list("url", "count")) == [
            ("https://example.com/news", 2), ("https://example.com/shop", 1),
        ]  # fmt: skip
        kinds = [
            (entry.data["event"], entry.data.get("url"))
            for entry in TimelineEntry.objects.filter(contact_id=recipient.contact_id).order_by("id")
            if entry.kind == "marketing_email"
        ]
        assert kinds == [
            ("opened", None),
            ("clicked", "https://example.com/news"),
            ("clicked", "https://example.com/shop"),
        ]
        clicked = DomainEvent.objects.filter(type="marketing_email.clicked", record_id=recipient.contact_id)
        assert sorted(event.data["url"] for event in clicked) == [
            "https://example.com/news",
            "https://example.com/shop",
        ]


def test_the_first_click_touches_the_e_mails_campaign_once(alpha: TenantFixture) -> None:
    from modules.marketing.attribution.models import SourceCampaign, Touch
    from modules.marketing.models import Campaign, MarketingEmail

    recipient = _sent_recipient(alpha)
    with alpha.active():
        campaign = Campaign.objects.create(name="Autumn", kind="email")
        MarketingEmail.objects.filter(pk=recipient.email_id).update(campaign=campaign)
        tokens = [click_token(recipient.pk, url) for url in ("https://example.com/a", "https://example.com/b")]
    client = alpha.client(None)

    for token in (*tokens, tokens[0]):
        client.get(f"/m/c/{token}/")

    with alpha.active():
        touches = list(Touch.objects.values_list("campaign_id", "contact_id", "kind"))
        assert touches == [(campaign.pk, recipient.contact_id, "email_click")]
        assert SourceCampaign.objects.get(contact_id=recipient.contact_id).campaign_id == campaign.pk


def test_an_altered_or_unsigned_link_is_not_followed(alpha: TenantFixture) -> None:
    recipient = _sent_recipient(alpha)
    with alpha.active():
        token = click_token(recipient.pk, "https://example.com/news")
    client = alpha.client(None)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    responses = [
        client.get(f"/m/c/{tampered}/"),
        client.get("/m/c/https%3A%2F%2Fevil.example/"),
        client.get(f"/m/o/{token}/"),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    with alpha.active():
        recipient.refresh_from_db()
        assert (recipient.clicks, recipient.opens) == (0, 0)
        assert not Click.objects.filter(recipient=recipient).exists()


def test_another_workspaces_tokens_answer_404_and_record_nothing(alpha: TenantFixture, beta: TenantFixture) -> None:
    alphas = _sent_recipient(alpha)
    betas = _sent_recipient(beta)
    # The same row id exists in both schemas: only the salt tells the workspaces apart.
    with beta.active():
        if betas.pk != alphas.pk:
            Recipient.objects.filter(pk=betas.pk).update(id=alphas.pk)
        assert Recipient.objects.filter(pk=alphas.pk).exists()
    with alpha.active():
        opened = open_token(alphas.pk)
        clicked = click_token(alphas.pk, "https://example.com/news")

    responses = [beta.client(None).get(f"/m/o/{opened}/"), beta.client(None).get(f"/m/c/{clicked}/")]

    assert [response.status_code for response in responses] == [404, 404]
    with beta.active():
        row = Recipient.objects.get(pk=alphas.pk)
        assert (row.opens, row.clicks) == (0, 0)
        assert not DomainEvent.objects.filter(type__startswith="marketing_email.").exists()


def test_links_go_through_the_redirect_and_the_pixel_is_added(alpha: TenantFixture) -> None:
    html = (
        '<html><body><a href="https://example.com/a?x=1&amp;y=2">A</a> <a href="mailto:x@example.com">M</a>'
        " <a href='https://example.com/b'>B</a></body></html>"
    )
    with alpha.active():
        tracked = with_tracking(html, 7, opens=True, clicks=True, base="https://alpha.example")
        untracked = with_tracking(html, 7, opens=False, clicks=False, base="https://alpha.example")

    assert links_of(html) == ["https://example.com/a?x=1&y=2", "https://example.com/b"]
    assert "https://example.com/a" not in tracked
    assert tracked.count("https://alpha.example/m/c/") == 2
    assert 'href="mailto:x@example.com"' in tracked
    assert tracked.index("/m/o/") < tracked.index("</body>")
    assert untracked == html


def test_the_contacts_timeline_shows_the_e_mails_events(alpha: TenantFixture) -> None:
    recipient = _sent_recipient(alpha)
    with alpha.active():
        from modules.marketing.delivery.services.engagement import record_click

        record_click(recipient.pk, "https://example.com/news")

    page = alpha.client().get(f"/timeline/contact/{recipient.contact_id}/").content.decode()

    assert "Marketing e-mail opened" in page
    assert 'Link clicked in a marketing e-mail: <span class="text-break">https://example.com/news</span>' in page
