"""The collateral library: uploads checked and versioned, downloads behind the permissions, share
links signed per workspace with an expiry, and bad input refused naming the field."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from modules.marketing.collateral.models import CollateralItem
from modules.marketing.collateral.services import add_version, attach_collateral, create_item, share_token
from tests.entitlements.helpers import without_modules
from tests.marketing.collateral.conftest import PDF
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke


def _item(alpha: TenantFixture, title: str = "Price sheet", category: str = "Pricing") -> CollateralItem:
    with alpha.active():
        return create_item(
            title=title,
            upload=SimpleUploadedFile("prices.pdf", PDF),
            by=alpha.user(),
            category=category,
            tags="Enterprise, pricing",
        )


def test_a_marketer_uploads_an_item_and_a_new_version(alpha: TenantFixture, private_root: Path) -> None:
    client = alpha.client()
    created = client.post(
        "/marketing/collateral/new/",
        {
            "title": "Product brochure",
            "category": "Brochures",
            "tags": "new, Print",
            "file": SimpleUploadedFile("b.pdf", PDF),
        },
    )
    with alpha.active():
        item = CollateralItem.objects.get()
    assert created.status_code == 302
    assert (item.title, item.category, item.tags, item.current_version.number) == (
        "Product brochure", "Brochures", ["new", "print"], 1,
    )  # fmt: skip

    client.post(
        f"/marketing/collateral/{item.pk}/versions/",
        {"file": SimpleUploadedFile("b-v2.txt", b"second edition\n"), "note": "Typos fixed"},
    )

    with alpha.active():
        item.refresh_from_db()
        versions = list(
            item.versions.order_by("number").values_list("number", "filename", "note", "uploaded_by__email")
        )
    assert versions == [(1, "b.pdf", "", "admin@example.test"), (2, "b-v2.txt", "Typos fixed", "admin@example.test")]
    download = client.get(f"/marketing/collateral/{item.pk}/versions/{item.current_version_id}/download/")
    assert b"".join(download.streaming_content) == b"second edition\n"
    assert download["Content-Disposition"].startswith("attachment")
    assert len(list(private_root.rglob("*.*"))) == 2


def test_a_rep_with_sales_view_browses_downloads_and_shares_but_cannot_upload(alpha: TenantFixture) -> None:
    item = _item(alpha)
    rep = alpha.client(REP_EMAIL)

    assert "Price sheet" in rep.get("/marketing/collateral/?q=price&tag=enterprise").content.decode()
    assert rep.get(f"/marketing/collateral/{item.pk}/versions/{item.current_version_id}/download/").status_code == 200
    assert rep.post(f"/marketing/collateral/{item.pk}/share/").status_code == 200
    assert (
        rep.post("/marketing/collateral/new/", {"title": "x", "file": SimpleUploadedFile("a.txt", b"a")}).status_code
        == 403
    )
    assert rep.post(f"/marketing/collateral/{item.pk}/archive/").status_code == 403

    revoke(alpha, "sales_rep", "sales.view")
    assert rep.get("/marketing/collateral/").status_code == 403
    assert rep.get(f"/marketing/collateral/{item.pk}/versions/{item.current_version_id}/download/").status_code == 403


def test_the_library_searches_and_filters_at_constant_queries(
    alpha: TenantFixture, django_assert_max_num_queries
) -> None:
    _item(alpha, "Case study: Acme")
    _item(alpha, "Battle card", category="Sales")
    client = alpha.client()
    client.get("/marketing/collateral/")
    listed = 1  # the case study is the one item in Pricing so far
    for count in (3, 20):
        for index in range(count):
            _item(alpha, f"Filler {count}-{index}")
        listed += count
        with django_assert_max_num_queries(12):
            page = client.get("/marketing/collateral/?category=Pricing").content.decode()
        assert len(re.findall('data-testid="collateral-row"', page)) == listed
    found = client.get("/marketing/collateral/?q=acme").content.decode()
    assert "Case study: Acme" in found
    assert "Battle card" not in found
    assert client.get("/marketing/collateral/?q=bad%00").status_code == 400


def test_a_share_link_downloads_until_it_expires_and_only_on_its_workspace(
    alpha: TenantFixture, beta: TenantFixture
) -> None:
    item = _item(alpha)
    share = alpha.client().post(f"/marketing/collateral/{item.pk}/share/").content.decode()
    link = re.search(r'data-testid="share-link"', share) and re.search(r'value="(http[^"]+)"', share)
    assert link is not None
    path = link.group(1).split(alpha.host, 1)[1]
    anonymous = alpha.client(None)

    assert b"".join(anonymous.get(path).streaming_content) == PDF
    assert anonymous.get(path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]).status_code == 404
    assert beta.client(None).get(path).status_code == 404
    with alpha.active():
        expired = share_token(item, valid_for=timedelta(seconds=-1))
    assert anonymous.get(f"/collateral/shared/{expired}/").status_code == 404
    assert anonymous.get("/collateral/shared/" + "x" * 400 + "/").status_code == 404

    alpha.client().post(f"/marketing/collateral/{item.pk}/archive/")
    assert anonymous.get(path).status_code == 404


def test_attach_collateral_gives_the_current_file(alpha: TenantFixture) -> None:
    item = _item(alpha)
    with alpha.active():
        add_version(item, upload=SimpleUploadedFile("notes.txt", b"v2"), by=alpha.user())
        assert attach_collateral(item) == ("notes.txt", b"v2", "text/plain")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "bad\x00title"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"tags": ",".join(f"t{i}" for i in range(30))}, "tags"),
        ({"file": SimpleUploadedFile("broken.pdf", b"not a pdf at all")}, "file"),
        ({"file": SimpleUploadedFile("empty.txt", b"")}, "file"),
        ({"file": None}, "file"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_stores_nothing(
    alpha: TenantFixture, private_root: Path, data: dict[str, object], field: str
) -> None:
    post = {"title": "Deck", "file": SimpleUploadedFile("deck.pdf", PDF), **data}
    response = alpha.client().post("/marketing/collateral/new/", {k: v for k, v in post.items() if v is not None})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    with alpha.active():
        assert not CollateralItem.objects.exists()
    assert list(private_root.rglob("*.*")) == []


@override_settings(ATTACHMENT_MAX_BYTES=10)
def test_a_file_over_the_limit_is_refused(alpha: TenantFixture) -> None:
    with alpha.active(), pytest.raises(ValidationError) as refused:
        create_item(title="Big", upload=SimpleUploadedFile("big.txt", b"x" * 11), by=alpha.user())
    assert "file" in refused.value.message_dict


def test_another_tenant_reaches_no_item_version_or_action(alpha: TenantFixture, beta: TenantFixture) -> None:
    item = _item(alpha)
    with beta.active():
        CollateralItem.objects.filter(pk=item.pk).delete()
    version = item.current_version_id
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/marketing/collateral/{item.pk}/", {}),
            ("get", f"/marketing/collateral/{item.pk}/versions/{version}/download/", {}),
            ("post", f"/marketing/collateral/{item.pk}/share/", {}),
            ("post", f"/marketing/collateral/{item.pk}/archive/", {}),
            ("post", f"/marketing/collateral/{item.pk}/versions/", {"file": SimpleUploadedFile("a.txt", b"a")}),
        ],
    )


def test_without_marketing_in_the_plan_pages_and_share_links_answer_nothing(alpha: TenantFixture) -> None:
    item = _item(alpha)
    version = item.current_version_id
    with alpha.active():
        token = share_token(item)
    without_modules(alpha, "marketing")
    client = alpha.client()
    assert client.get("/marketing/collateral/").status_code == 403
    assert client.get(f"/marketing/collateral/{item.pk}/versions/{version}/download/").status_code == 403
    assert (
        client.post("/marketing/collateral/new/", {"title": "x", "file": SimpleUploadedFile("a.txt", b"a")}).status_code
        == 403
    )
    assert alpha.client(None).get(f"/collateral/shared/{token}/").status_code == 404
    with alpha.active():
        assert CollateralItem.objects.count() == 1
