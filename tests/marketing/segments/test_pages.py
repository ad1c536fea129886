"""Segment pages: the builder saves rules and names wrong parts, the live preview counts unsaved
rules and is rate limited, static lists are managed by hand and by file, members export as CSV, the
contact page lists its segments; another tenant's segment, a role without the permissions and a
tenant without marketing get nothing; queries stay constant in list size."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment, SegmentMember
from modules.marketing.segments import preview, services
from tests.factories import ContactFactory
from tests.marketing.segments.conftest import People
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

PARIS = {"match": "all", "conditions": [{"type": "contact", "field": "city", "op": "eq", "value": "Paris"}]}


def _static(alpha: TenantFixture, *contacts: Any) -> Segment:
    with alpha.active():
        segment = services.create_segment(by=None, name="Static", kind=SegmentKind.STATIC)
        services.add_to_list(segment, list(contacts), by=None)
        return segment


def test_the_builder_creates_a_dynamic_segment_and_names_wrong_rules(
    alpha: TenantFixture, people: People, django_capture_on_commit_callbacks: Any, eager_tasks: None
) -> None:
    client = alpha.client()
    wrong = {"match": "all", "conditions": [{"type": "contact", "field": "city", "op": "gt", "value": "x"}]}
    response = client.post(
        reverse("marketing-segments:new"), {"name": "Bad", "kind": "dynamic", "rules": json.dumps(wrong)}
    )
    assert response.status_code == 400
    assert "rules.conditions[0].op" in response.content.decode()
    with alpha.active():
        assert not Segment.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("marketing-segments:new"), {"name": "Parisians", "kind": "dynamic", "rules": json.dumps(PARIS)}
        )
    assert response.status_code == 302
    with alpha.active():
        segment = Segment.objects.get(name="Parisians")
        assert set(SegmentMember.objects.filter(segment=segment).values_list("contact_id", flat=True)) == {
            people.ana.pk, people.dan.pk
        }  # fmt: skip
    page = client.get(reverse("marketing-segments:detail", args=[segment.pk]))
    assert page.status_code == 200
    assert "Ana" in page.content.decode()
    assert client.get(reverse("marketing-segments:edit", args=[segment.pk])).status_code == 200
    assert client.get(reverse("marketing-segments:list")).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "rules"),
        (json.dumps({"rules": {"match": "all", "conditions": [{"type": "order", "op": "within"}]}}).encode(),
         "rules.conditions[0].days"),
        (json.dumps({"rules": {"match": "all", "conditions": [{"type": "contact", "field": "city", "op": "eq",
                                                              "value": "\x00"}]}}).encode(),
         "rules.conditions[0].value"),
        (b"{" * 200_001, "rules"),
    ],
)  # fmt: skip
def test_the_preview_refuses_bad_rules_naming_them(alpha: TenantFixture, body: bytes, field: str) -> None:
    response = alpha.client().post(reverse("marketing-segments:preview"), body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_preview_counts_unsaved_rules_and_is_rate_limited(
    alpha: TenantFixture, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = alpha.client()
    url = reverse("marketing-segments:preview")
    response = client.post(url, json.dumps({"rules": PARIS}), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [row["name"] for row in response.json()["contacts"]] == ["Ana Tester", "Dan Tester"]
    monkeypatch.setattr(preview, "PREVIEW_PER_MINUTE", 1)
    assert client.post(url, json.dumps({"rules": PARIS}), content_type="application/json").status_code == 429


def test_a_static_list_is_managed_on_its_page(alpha: TenantFixture, people: People) -> None:
    segment = _static(alpha, people.ana)
    client = alpha.client()
    client.post(reverse("marketing-segments:add", args=[segment.pk]), {"emails": "BOB@example.org\nnobody@x.io"})
    client.post(reverse("marketing-segments:remove", args=[segment.pk, people.ana.pk]))
    upload = SimpleUploadedFile("list.csv", b"email\neve@example.net\n", content_type="text/csv")
    response = client.post(reverse("marketing-segments:import", args=[segment.pk]), {"file": upload})
    assert response.status_code == 200
    bad = SimpleUploadedFile("list.csv", b"\xff\xfe\x00", content_type="text/csv")
    refused = client.post(reverse("marketing-segments:import", args=[segment.pk]), {"file": bad})
    assert refused.status_code == 400
    assert "UTF-8" in refused.content.decode()
    with alpha.active():
        assert set(SegmentMember.objects.filter(segment=segment).values_list("contact_id", flat=True)) == {
            people.bob.pk, people.eve.pk
        }  # fmt: skip
    export = alpha.client().get(reverse("marketing-segments:export", args=[segment.pk]))
    text = b"".join(export).decode()
    assert "bob@example.org" in text and "eve@example.net" in text  # noqa: PT018
    card = client.get(reverse("marketing-segments:contact-card", args=["contact", people.bob.pk]))
    assert "Static" in card.content.decode()


def test_the_contact_page_loads_the_segments_card(alpha: TenantFixture, people: People) -> None:
    page = alpha.client().get(reverse("contacts:contact-detail", args=[people.ana.pk]))
    assert reverse("marketing-segments:contact-card", args=["contact", people.ana.pk]) in page.content.decode()


def test_a_rep_without_marketing_permissions_changes_nothing(alpha: TenantFixture, people: People) -> None:
    segment = _static(alpha, people.ana)
    rep = alpha.client(REP_EMAIL)
    for method, url in [
        ("get", reverse("marketing-segments:list")),
        ("get", reverse("marketing-segments:detail", args=[segment.pk])),
        ("post", reverse("marketing-segments:delete", args=[segment.pk])),
        ("post", reverse("marketing-segments:remove", args=[segment.pk, people.ana.pk])),
        ("post", reverse("marketing-segments:preview")),
        ("get", reverse("marketing-segments:export", args=[segment.pk])),
    ]:
        assert getattr(rep, method)(url).status_code == 403, url
    with alpha.active():
        assert SegmentMember.objects.filter(segment=segment, contact=people.ana).exists()


def test_another_tenants_segment_is_not_found(alpha: TenantFixture, beta: TenantFixture, people: People) -> None:
    segment = _static(alpha, people.ana)
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", reverse("marketing-segments:detail", args=[segment.pk]), {}),
            ("get", reverse("marketing-segments:edit", args=[segment.pk]), {}),
            ("get", reverse("marketing-segments:export", args=[segment.pk]), {}),
            ("post", reverse("marketing-segments:delete", args=[segment.pk]), {}),
            ("post", reverse("marketing-segments:remove", args=[segment.pk, people.ana.pk]), {}),
            ("get", reverse("marketing-segments:contact-card", args=["contact", people.ana.pk]), {}),
        ],
    )
    with alpha.active():
        assert Segment.objects.filter(pk=segment.pk).exists()


def test_the_members_page_queries_do_not_grow_with_members(
    alpha: TenantFixture, django_assert_max_num_queries: Any
) -> None:
    with alpha.active():
        few = [ContactFactory() for _ in range(5)]
        many = [ContactFactory() for _ in range(45)]
    small, large = _static(alpha, *few), None
    with alpha.active():
        large = services.create_segment(by=None, name="Large", kind=SegmentKind.STATIC)
        services.add_to_list(large, few + many, by=None)
    client = alpha.client()
    client.get(reverse("marketing-segments:detail", args=[small.pk]))
    with django_assert_max_num_queries(20) as captured:
        client.get(reverse("marketing-segments:detail", args=[small.pk]))
    baseline = len(captured.captured_queries)
    with django_assert_max_num_queries(baseline):
        client.get(reverse("marketing-segments:detail", args=[large.pk]))
    with django_assert_max_num_queries(baseline):
        client.get(reverse("marketing-segments:list"))
