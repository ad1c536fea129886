"""Orders carry notes, files and followers like the other records: on the order page, on the order's
own timeline, told to its followers (status changes too), and out of reach of other tenants, of
roles without sales and of reps outside the order's visibility."""

from __future__ import annotations

import importlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.events.dispatcher import dispatch_pending
from modules.activities.models import Notification
from modules.collaboration.models import Attachment, Follow, Note
from modules.collaboration.services.follows import follow
from modules.collaboration.services.notes import create_note
from modules.contacts.models import TimelineEntry
from modules.sales.models import Order
from modules.sales.services.orders import delete_order, set_order_status
from tests.sales.orders.conftest import make_order
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke

from .conftest import OTHER_REP_EMAIL, VIEWER_EMAIL

TIMELINE_MIGRATION = importlib.import_module("modules.contacts.migrations.0010_timeline_order")


def test_an_order_gets_notes_files_and_followers_from_its_page(alpha: TenantFixture, private_root):
    order = make_order(alpha)
    client = alpha.client()

    page = client.get(f"/orders/{order.pk}/").content.decode()
    noted = client.post(f"/records/order/{order.pk}/notes/", {"body": "<div>Ship <b>Monday</b></div>"})
    attached = client.post(
        f"/records/order/{order.pk}/attachments/", {"file": SimpleUploadedFile("delivery.txt", b"signed\n")}
    )
    followed = client.post(f"/records/order/{order.pk}/follow/", {"follow": "1"})
    panel = client.get(f"/records/order/{order.pk}/panel/").content.decode()
    timeline = client.get(f"/timeline/order/{order.pk}/").content.decode()

    assert f"/records/order/{order.pk}/panel/" in page
    assert f"/timeline/order/{order.pk}/" in page
    assert (noted.status_code, attached.status_code, followed.status_code) == (302, 302, 302)
    assert noted["Location"] == f"/orders/{order.pk}/#timeline-heading"
    assert 'aria-pressed="true"' in panel
    assert "delivery.txt" in panel
    assert "Ship <b>Monday</b>" in timeline
    assert "delivery.txt" in timeline
    assert f"Order {order.number} placed" in timeline
    with alpha.active():
        assert Note.objects.get(order=order).author == alpha.user()
        assert Attachment.objects.get(order=order).name == "delivery.txt"
        assert Follow.objects.filter(order=order).count() == 1
        kinds = set(TimelineEntry.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == {"order", "note", "attachment"}


def test_a_notes_timeline_entry_is_on_the_order_only_and_the_company_page_names_the_order(alpha: TenantFixture):
    order = make_order(alpha)
    with alpha.active():
        create_note(record=order, body="<div>Invoice by post</div>", by=alpha.user())
    client = alpha.client()

    company_timeline = client.get(f"/timeline/company/{order.company_id}/").content.decode()

    assert "Invoice by post" not in company_timeline  # a note belongs to the record it was written on
    assert f'<a href="/orders/{order.pk}/">{order.number}</a>' in company_timeline  # the order's entries say so


def test_followers_of_an_order_hear_of_status_changes_notes_and_edits(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    order = make_order(alpha, owner_email=REP_EMAIL)
    with alpha.active():
        # Only this test's notifications: a file that committed before may have left some.
        before = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
        follow(order, user=rep)
        follow(order, user=admin)
        set_order_status(order, "fulfilled", by=admin)
        create_note(record=order, body="<div>Left the warehouse</div>", by=admin)
        dispatch_pending()
        dispatch_pending()
        ours = Notification.objects.filter(id__gt=before)
        titles = list(ours.filter(recipient=rep, kind="followed").order_by("id").values_list("title", flat=True))
        told_admin = ours.filter(recipient=admin).exists()
    name = admin.display_name
    assert titles == [
        f"{name} marked {order.number} as Fulfilled",
        f"{name} added a note to {order.number}",
    ]
    assert not told_admin  # the actor is not told of what they did


def test_a_follower_who_cannot_see_the_order_hears_nothing(alpha: TenantFixture, other_rep):
    order = make_order(alpha)  # the admin's: outside the other rep's visibility
    with alpha.active():
        Follow.objects.create(user=other_rep, order=order)  # followed while it was theirs, say
        set_order_status(order, "fulfilled", by=alpha.user())
        dispatch_pending()
        assert not Notification.objects.filter(recipient=other_rep).exists()


def test_reps_outside_the_orders_visibility_and_roles_without_sales_are_refused(
    alpha: TenantFixture, private_root, other_rep, viewer
):
    order = make_order(alpha)
    outsider = alpha.client(OTHER_REP_EMAIL)
    reader = alpha.client(VIEWER_EMAIL)
    upload = {"file": SimpleUploadedFile("a.txt", b"a")}

    for path in (f"/records/order/{order.pk}/panel/", f"/timeline/order/{order.pk}/"):
        assert outsider.get(path).status_code == 404, path
    assert outsider.post(f"/records/order/{order.pk}/notes/", {"body": "<div>x</div>"}).status_code == 404
    assert outsider.post(f"/records/order/{order.pk}/follow/", {"follow": "1"}).status_code == 404
    assert reader.get(f"/records/order/{order.pk}/panel/").status_code == 200  # reading is enough to see
    assert reader.post(f"/records/order/{order.pk}/notes/", {"body": "<div>x</div>"}).status_code == 403
    assert reader.post(f"/records/order/{order.pk}/attachments/", upload).status_code == 403
    revoke(alpha, "read_only", "sales.view")
    assert reader.get(f"/records/order/{order.pk}/panel/").status_code == 403
    assert reader.get(f"/timeline/order/{order.pk}/").status_code == 403
    with alpha.active():
        assert not Note.objects.filter(order=order).exists()
        assert not Attachment.objects.filter(order=order).exists()
        assert not Follow.objects.filter(order=order).exists()


def test_an_orders_notes_files_and_timeline_are_out_of_another_tenants_reach(
    alpha: TenantFixture, beta: TenantFixture, private_root
):
    order = make_order(alpha)
    with alpha.active():
        note = create_note(record=order, body="<div>alpha only</div>", by=alpha.user()).note
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/records/order/{order.pk}/panel/", {}),
            ("get", f"/timeline/order/{order.pk}/", {}),
            ("post", f"/records/order/{order.pk}/notes/", {"body": "<div>x</div>"}),
            ("post", f"/records/order/{order.pk}/follow/", {"follow": "1"}),
            ("post", f"/notes/{note.pk}/delete/", {}),
        ],
    )


def test_deleting_an_order_removes_its_notes_and_follows_and_keeps_the_companys_history(alpha: TenantFixture):
    order = make_order(alpha)
    with alpha.active():
        create_note(record=order, body="<div>gone with it</div>", by=alpha.user())
        follow(order, user=alpha.user())
        delete_order(order, by=alpha.user())
        assert not Note.objects.exists()
        assert not Follow.objects.exists()
        deleted = TimelineEntry.objects.get(company_id=order.company_id, data__action="deleted")
    assert deleted.order_id is None
    assert deleted.data["number"] == order.number


def test_the_migration_links_the_order_entries_written_before_the_key(alpha: TenantFixture):
    kept, gone = make_order(alpha), make_order(alpha)
    with alpha.active():
        TimelineEntry.objects.filter(kind="order").update(order=None)
        gone_id = gone.pk
        Order.objects.filter(pk=gone_id).delete()
        backfill = next(op for op in TIMELINE_MIGRATION.Migration.operations if hasattr(op, "sql"))
        with connection.cursor() as cursor:
            cursor.execute(backfill.sql)
        linked = set(TimelineEntry.objects.filter(kind="order").values_list("data__order", "order_id"))
    assert linked == {(kept.pk, kept.pk), (gone_id, None)}


def test_the_order_timeline_costs_the_same_for_5_and_50_notes(alpha: TenantFixture):
    few, many = make_order(alpha), make_order(alpha)
    with alpha.active():
        for record, count in ((few, 5), (many, 50)):
            for index in range(count):
                create_note(record=record, body=f"<div>n{index}</div>", by=alpha.user())
    client = alpha.client()
    client.get(f"/timeline/order/{few.pk}/")
    counts = []
    for order in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/timeline/order/{order.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
