"""A segment on the contact list: ``?segment=`` keeps its members (the list, its export), offered
only with marketing in the plan and ``marketing.view``; a stale or foreign id keeps nothing."""

from __future__ import annotations

from modules.marketing.choices import SegmentKind
from modules.marketing.segments.services import add_to_list, create_segment
from tests.dataio.exports.conftest import csv_rows
from tests.dataio.exports.conftest import private_files as private_files  # the fixture: files per test
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture, revoke


def _list_with_members(alpha: TenantFixture) -> int:
    with alpha.active():
        inside = [
            ContactFactory(first_name=name, last_name="Member", email=f"{name.lower()}@in.example") for name in "AB"
        ]
        ContactFactory(first_name="Out", last_name="Sider", email="out@out.example")
        segment = create_segment(by=None, name="Trade fair list", kind=SegmentKind.STATIC)
        add_to_list(segment, inside, by=None)
        return segment.pk


def test_the_contact_list_and_its_export_keep_a_segments_members(alpha: TenantFixture) -> None:
    segment_id = _list_with_members(alpha)
    client = alpha.client()

    page = client.get("/contacts/", {"segment": segment_id}).content.decode()
    exported = csv_rows(client.get("/exports/list/contact/csv/", {"segment": segment_id}))
    stale = client.get("/contacts/", {"segment": "999999999"}).content.decode()
    segment_page = client.get(f"/marketing/segments/{segment_id}/").content.decode()

    assert "Trade fair list" in page  # the filter's option
    assert "A Member" in page
    assert "B Member" in page
    assert "Out Sider" not in page
    assert sorted(row["E-mail"].lower() for row in exported) == ["a@in.example", "b@in.example"]
    assert "A Member" not in stale
    assert "Out Sider" not in stale
    assert f"/contacts/?segment={segment_id}" in segment_page


def test_without_marketing_or_its_permission_the_filter_is_neither_offered_nor_applied(
    alpha: TenantFixture, beta: TenantFixture
) -> None:
    segment_id = _list_with_members(alpha)
    revoke(alpha, "admin", "marketing.view")
    no_role = alpha.client().get("/contacts/", {"segment": segment_id}).content.decode()
    with beta.active():
        ContactFactory(first_name="Beta", last_name="Person")
    beta_page = beta.client().get("/contacts/", {"segment": segment_id}).content.decode()
    without_modules(beta, "marketing")
    unplanned = beta.client().get("/contacts/", {"segment": segment_id}).content.decode()

    assert "Trade fair list" not in no_role
    assert "Out Sider" in no_role  # the parameter means nothing to this reader
    assert "Beta Person" not in beta_page  # alpha's id names no segment in beta: nobody
    assert "Trade fair list" not in beta_page
    assert "Beta Person" in unplanned
