"""Bulk actions of every record list: through the services, all or nothing, within visibility and
the role's permissions, never across tenants."""

from __future__ import annotations

import pytest

from modules.activities.models import Activity
from modules.contacts.models import Tag
from tests.lists.kinds import KINDS, Kind
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke, schema_snapshot

KIND_PARAMS = [pytest.param(kind, id=key) for key, kind in KINDS.items()]


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_selected_rows_get_a_new_owner(alpha: TenantFixture, kind: Kind):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        first, second, untouched = (kind.make(name, owner=admin) for name in ("One", "Two", "Three"))

    response = alpha.client().post(kind.bulk, {"action": "assign_owner", "owner": rep.pk, "ids": [first.pk, second.pk]})

    assert response.status_code == 302
    with alpha.active():
        owners = dict(kind.model._default_manager.values_list("pk", "owner_id"))
    assert owners == {first.pk: rep.pk, second.pk: rep.pk, untouched.pk: admin.pk}


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_a_tag_is_added_then_removed(alpha: TenantFixture, kind: Kind):
    with alpha.active():
        row = kind.make("Tagged", owner=alpha.user())
        row.tags.add(Tag.objects.create(name="kept"))
    client = alpha.client()

    client.post(kind.bulk, {"action": "add_tag", "tag": "Priority", "ids": [row.pk]})
    with alpha.active():
        added = sorted(row.tags.values_list("name", flat=True))
    client.post(kind.bulk, {"action": "remove_tag", "tag": "priority", "ids": [row.pk]})
    with alpha.active():
        removed = sorted(row.tags.values_list("name", flat=True))

    assert (added, removed) == (["Priority", "kept"], ["kept"])


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_a_field_is_edited_on_every_selected_row(alpha: TenantFixture, kind: Kind):
    action, posted, stored = kind.edit
    with alpha.active():
        rows = [kind.make(name, owner=alpha.user()) for name in ("One", "Two")]

    alpha.client().post(kind.bulk, {"action": action, f"edit_{kind.edit_field}": posted, "ids": [r.pk for r in rows]})

    with alpha.active():
        values = set(kind.model._default_manager.values_list(kind.edit_field, flat=True))
    assert values == {stored}


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_an_activity_is_created_for_each_selected_row(alpha: TenantFixture, kind: Kind):
    with alpha.active():
        rows = [kind.make(name, owner=alpha.user()) for name in ("One", "Two")]

    data = {"action": "create_activity", "activity_kind": "call", "activity_subject": "Check in"}
    response = alpha.client().post(kind.bulk, {**data, "ids": [row.pk for row in rows]})

    assert response.status_code == 302
    with alpha.active():
        linked = sorted(
            Activity.objects.filter(subject="Check in", kind="call").values_list(f"{kind.activity_link}_id", flat=True)
        )
    assert linked == sorted(row.pk for row in rows)


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_an_action_missing_its_value_names_the_field_and_changes_nothing(alpha: TenantFixture, kind: Kind):
    with alpha.active():
        row = kind.make("Row", owner=alpha.user())
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(kind.bulk, {"action": "create_activity", "activity_kind": "call", "activity_subject": "",
                                       "ids": [row.pk]}, follow=True)  # fmt: skip

    assert "Subject: Give the activities a subject." in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_selected_rows_are_deleted(alpha: TenantFixture, kind: Kind):
    with alpha.active():
        doomed, kept = kind.make("Doomed", owner=alpha.user()), kind.make("Kept", owner=alpha.user())

    alpha.client().post(kind.bulk, {"action": "delete", "ids": [doomed.pk]})

    with alpha.active():
        assert list(kind.model._default_manager.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_a_row_outside_the_users_visibility_refuses_the_whole_action(alpha: TenantFixture, kind: Kind):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        mine, theirs = kind.make("Mine", owner=rep), kind.make("Theirs", owner=admin)
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    response = client.post(kind.bulk, {"action": "add_tag", "tag": "Mine now", "ids": [mine.pk, theirs.pk]})

    assert response.status_code == 404
    assert schema_snapshot(alpha.tenant) == before


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_a_role_without_change_or_delete_cannot_run_them(alpha: TenantFixture, kind: Kind):
    module = "contacts" if kind.key in ("company", "contact") else "sales"
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        row = kind.make("Row", owner=rep)
    client = alpha.client(REP_EMAIL)
    revoke(alpha, "sales_rep", f"{module}.delete")
    before = schema_snapshot(alpha.tenant)

    no_delete = client.post(kind.bulk, {"action": "delete", "ids": [row.pk]})
    page = client.get(kind.path).content.decode()

    assert no_delete.status_code == 403
    assert 'value="assign_owner"' in page
    assert 'value="delete"' not in page
    assert schema_snapshot(alpha.tenant) == before

    revoke(alpha, "sales_rep", f"{module}.change")
    before = schema_snapshot(alpha.tenant)

    no_change = client.post(kind.bulk, {"action": "assign_owner", "owner": rep.pk, "ids": [row.pk]})

    assert no_change.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_another_tenant_cannot_act_on_the_rows(alpha: TenantFixture, beta: TenantFixture, kind: Kind):
    with alpha.active():
        row = kind.make("Alpha only", owner=alpha.user())

    assert_cross_tenant_requests_fail(alpha, beta, [
        ("post", kind.bulk, {"action": "delete", "ids": [row.pk]}),
        ("post", kind.bulk, {"action": "add_tag", "tag": "x", "ids": [row.pk]}),
    ])  # fmt: skip


def test_a_refusing_row_changes_none_and_is_named_with_its_field(alpha: TenantFixture):
    kind = KINDS["lead"]
    with alpha.active():
        fine, converted = kind.make("Fine", owner=alpha.user()), kind.make("Done", owner=alpha.user())
        type(converted)._default_manager.filter(pk=converted.pk).update(status="converted")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(kind.bulk, {"action": "edit:status", "edit_status": "qualified",
                                       "ids": [fine.pk, converted.pk]}, follow=True)  # fmt: skip

    page = response.content.decode()
    assert "Nothing was changed" in page
    assert "Done Row:" in page
    assert "Fine Row:" not in page
    assert schema_snapshot(alpha.tenant) == before
