"""Rendering a marketing e-mail: blocks → MJML → responsive HTML compiled once per content version,
merge fields filled per recipient (escaped in HTML, not in text), fallbacks, and the footer."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from modules.marketing.email import rendering
from modules.marketing.email.rendering import render_email
from modules.marketing.email.services.emails import update_email
from modules.marketing.email.services.settings import update_settings
from tests.factories import CompanyFactory, ContactFactory
from tests.marketing.email.conftest import BLOCKS, make_email
from tests.tenancy import TenantFixture

LINKS = {"unsubscribe_url": "https://alpha.example/u/abc", "preferences_url": "https://alpha.example/p/abc"}


def test_the_html_is_responsive_and_carries_the_recipients_values_escaped(alpha: TenantFixture) -> None:
    email = make_email(alpha)
    with alpha.active():
        update_settings(by=None, postal_address="ACME SRL\n1 Main Street, Cluj")
        contact = ContactFactory(first_name="<Ana & Co>", company=CompanyFactory(name='Bold "Quotes" Ltd'))

        rendered = render_email(email, contact, links=LINKS)

    assert rendered.subject == "Spring news, <Ana & Co>"
    assert "mj-column-per-50" in rendered.html  # the two columns stack on a phone
    assert "@media only screen" in rendered.html
    assert "Hello &lt;Ana &amp; Co&gt;" in rendered.html
    assert "<Ana" not in rendered.html
    assert "Bold &quot;Quotes&quot; Ltd" in rendered.html
    assert "Hello <Ana & Co>" in rendered.text
    assert 'News for Bold "Quotes" Ltd.' in rendered.text
    assert "Read more: https://news.example.com/spring" in rendered.text
    assert 'href="https://alpha.example/u/abc"' in rendered.html
    assert "ACME SRL<br />1 Main Street, Cluj" in rendered.html
    assert "Unsubscribe: https://alpha.example/u/abc" in rendered.text
    assert "ACME SRL\n1 Main Street, Cluj" in rendered.text


def test_empty_values_fall_back_and_the_b_subject_is_rendered_for_its_variant(alpha: TenantFixture) -> None:
    email = make_email(alpha, subject_b='{{ contact.last_name | default: "Hi" }}, see what\'s new', ab_percent=20)
    with alpha.active():
        contact = ContactFactory(first_name="", last_name="", company=None)

        a = render_email(email, contact, links=LINKS)
        b = render_email(email, contact, subject_variant="b", links=LINKS)

    assert a.subject == "Spring news, friend"
    assert b.subject == "Hi, see what's new"
    assert "Hello there" in a.html
    assert "News for <b>your team</b>" in a.html
    assert "Hello there" in a.text


def test_custom_fields_merge_and_an_unknown_field_is_refused_by_name(alpha: TenantFixture) -> None:
    from customization.fields.models import CustomFieldDefinition

    with alpha.active():
        CustomFieldDefinition.objects.create(entity="contact", key="shoe_size", label="Shoe size", field_type="text")
    email = make_email(alpha, subject='Size {{ contact.custom.shoe_size | default: "unknown" }}')
    with alpha.active():
        contact = ContactFactory(custom={"shoe_size": "42"})
        assert render_email(email, contact, links=LINKS).subject == "Size 42"

        with pytest.raises(ValidationError) as refused:
            update_email(email, by=None, content=[{"type": "text", "html": "<p>{{ contact.favourite_colour }}</p>"}])
        assert "contact.favourite_colour" in str(refused.value.message_dict["content"])
        with pytest.raises(ValidationError) as malformed:
            update_email(email, by=None, subject="Hi {{ contact.first_name | fallback }}")
        assert "subject" in malformed.value.message_dict
        email.refresh_from_db()
        assert email.subject == 'Size {{ contact.custom.shoe_size | default: "unknown" }}'


def test_the_mjml_is_compiled_once_per_content_version_not_per_recipient(alpha: TenantFixture) -> None:
    email = make_email(alpha, content=[*BLOCKS, {"type": "spacer", "height": 17}])
    with alpha.active():
        contacts = [ContactFactory() for _ in range(5)]
        before = rendering.stats.compiles

        rendered = [render_email(email, contact, links=LINKS) for contact in contacts]
        assert rendering.stats.compiles == before + 1
        assert len({item.html for item in rendered}) == 5  # each personalised

        update_email(email, by=None, content=[*BLOCKS, {"type": "spacer", "height": 18}])
        email.refresh_from_db()
        render_email(email, contacts[0], links=LINKS)
        assert rendering.stats.compiles == before + 2


def test_rich_text_is_sanitised_and_images_must_be_https(alpha: TenantFixture) -> None:
    email = make_email(
        alpha,
        content=[
            {"type": "text", "html": '<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:x">y</a></p>'}
        ],
    )
    with alpha.active():
        assert email.content == [{"type": "text", "html": "<p>Hi<a>y</a></p>"}]
        with pytest.raises(ValidationError) as refused:
            update_email(email, by=None, content=[{"type": "image", "src": "http://cdn.example.com/a.png"}])
        assert "content[0].src" in refused.value.message_dict
        with pytest.raises(ValidationError) as too_many:
            update_email(email, by=None, content=[{"type": "divider"}] * 101)
        assert "content" in too_many.value.message_dict
        with pytest.raises(ValidationError) as nul:
            update_email(email, by=None, content=[{"type": "heading", "text": "a\x00b"}])
        assert "content[0].text" in nul.value.message_dict


def test_without_given_links_the_footer_carries_the_contacts_signed_unsubscribe_link(alpha: TenantFixture) -> None:
    email = make_email(alpha)
    with alpha.active():
        contact = ContactFactory(email="lina@example.com")

        rendered = render_email(email, contact)

    assert f"://{alpha.host}/" in rendered.text
    unsubscribe = rendered.text.split("Unsubscribe: ", 1)[1].split()[0]
    response = alpha.client(None).get(unsubscribe.split(alpha.host, 1)[1])
    assert response.status_code == 200
    assert f'href="{unsubscribe}"' in rendered.html
