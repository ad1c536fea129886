"""Followers and new owners are told through the outbox consumer (after the change commits,
once per event however often it is offered), and the bell brings new ones without a reload."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from customization.events.dispatcher import dispatch_pending
from customization.events.models import DomainEvent
from modules.activities.models import Notification
from modules.activities.services.activities import create_activity, update_activity
from modules.collaboration.consumers import consume
from modules.collaboration.services.attachments import add_attachment
from modules.collaboration.services.follows import follow
from modules.collaboration.services.notes import create_note
from modules.contacts.services.companies import create_company, update_company
from modules.sales.models import Stage
from modules.sales.services.deals import move_deal_to_stage, update_deal
from tests.factories import CompanyFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

from .conftest import OTHER_REP_EMAIL


def kinds_for(user) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "title"))


def test_a_new_owner_is_told_once_and_the_actor_never(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        deal = DealFactory(owner=admin, name="Big order")
        update_deal(deal, by=admin, owner=rep)
        assert kinds_for(rep) == []  # not inline: only once the outbox is dispatched
        dispatch_pending()
        consume(list(DomainEvent.objects.filter(type="deal.updated")))  # offered again: nothing new
        update_deal(deal, by=rep, owner=rep, name="Bigger order")  # the owner acting: not told
        dispatch_pending()
        assert kinds_for(rep) == [("assigned", f"{admin.display_name} assigned Big order to you")]
        assert kinds_for(admin) == []


def test_a_new_assignee_of_an_activity_and_a_created_record_are_told(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        activity = create_activity(by=admin, kind="call", subject="Call back")
        update_activity(activity, by=admin, assignee=rep)
        create_company(by=admin, name="Assigned Ltd", owner=rep)
        dispatch_pending()
        titles = [title for _kind, title in kinds_for(rep)]
    assert sorted(titles) == [
        f"{admin.display_name} assigned Assigned Ltd to you",
        f"{admin.display_name} assigned Call back to you",
    ]


def test_many_assignments_at_once_make_one_summary(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        companies = [CompanyFactory(owner=admin) for _ in range(6)]
        for company in companies:
            update_company(company, by=admin, owner=rep)
        dispatch_pending()
        assert kinds_for(rep) == [("assigned", f"{admin.display_name} assigned 6 records to you")]


def test_a_record_given_to_two_people_before_dispatch_tells_both_and_not_who_took_it(
    alpha: TenantFixture, other_rep, viewer
):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory(owner=other_rep, name="Passed Around")
        update_company(company, by=admin, owner=admin)  # taking it oneself tells no one
        update_company(company, by=admin, owner=viewer)
        update_company(company, by=other_rep, owner=admin)  # the owner it had when dispatched
        dispatch_pending()
        told = f"{admin.display_name} assigned Passed Around to you"
        assert kinds_for(viewer) == [("assigned", told)]
        assert kinds_for(admin) == [("assigned", f"{other_rep.display_name} assigned Passed Around to you")]
        assert kinds_for(other_rep) == []


def test_someone_a_record_was_taken_from_before_dispatch_is_told_only_if_they_can_open_it(
    alpha: TenantFixture, other_rep
):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=admin, name="Moved On")
        update_company(company, by=admin, owner=rep)
        update_company(company, by=admin, owner=other_rep)  # out of the first rep's sight now
        dispatch_pending()
        assert kinds_for(rep) == []
        assert kinds_for(other_rep) == [("assigned", f"{admin.display_name} assigned Moved On to you")]


def test_the_event_carries_the_owner_the_change_gave(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        activity = create_activity(by=admin, kind="call", subject="Call back")
        update_activity(activity, by=admin, assignee=rep)
        update_activity(activity, by=admin, subject="Call back soon")
        events = list(DomainEvent.objects.filter(entity="activity").order_by("id").values_list("type", "data"))
    assert [(kind, data.get("assignee_id")) for kind, data in events] == [
        ("activity.created", admin.pk),
        ("activity.updated", rep.pk),
        ("activity.updated", None),
    ]


def test_followers_hear_of_stage_moves_notes_files_and_changes_but_not_their_own(alpha: TenantFixture, private_root):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        deal = DealFactory(owner=rep, name="Renewal")
        follow(deal, user=rep)
        follow(deal, user=admin)
        target = Stage.objects.filter(pipeline=deal.pipeline, kind="open").exclude(pk=deal.stage_id).first()
        move_deal_to_stage(deal, target, by=admin)
        create_note(record=deal, body="<div>Spoke to them</div>", by=admin)
        add_attachment(record=deal, upload=SimpleUploadedFile("terms.txt", b"t"), by=admin)
        update_deal(deal, by=admin, description="Three years")
        dispatch_pending()
        dispatch_pending()
        titles = [title for kind, title in kinds_for(rep) if kind == "followed"]
        admin_titles = kinds_for(admin)
    name = admin.display_name
    assert titles == [
        f"{name} moved Renewal to {target.name}",
        f"{name} added a note to Renewal",
        f"{name} attached terms.txt to Renewal",
        f"{name} changed Renewal",
    ]
    assert admin_titles == []


def test_a_follower_who_can_no_longer_see_the_record_hears_nothing(alpha: TenantFixture, other_rep):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory(owner=other_rep)
        follow(company, user=other_rep)
        update_company(company, by=admin, owner=admin)  # the company leaves the rep's visibility
        update_company(company, by=admin, name="Renamed")
        dispatch_pending()
        assert kinds_for(other_rep) == []  # told nothing of a record they can no longer open


def test_following_and_unfollowing_from_the_page(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    client = alpha.client(REP_EMAIL)
    assert client.post(f"/records/company/{company.pk}/follow/", {"follow": "1"}).status_code == 404  # not theirs

    admin = alpha.client()
    admin.post(f"/records/company/{company.pk}/follow/", {"follow": "1"})
    admin.post(f"/records/company/{company.pk}/follow/", {"follow": "1"})
    assert 'aria-pressed="true"' in admin.get(f"/records/company/{company.pk}/panel/").content.decode()
    admin.post(f"/records/company/{company.pk}/follow/", {"follow": "0"})
    assert 'aria-pressed="false"' in admin.get(f"/records/company/{company.pk}/panel/").content.decode()


def test_the_bell_shows_new_notifications_as_toasts_in_few_queries(alpha: TenantFixture, django_assert_max_num_queries):
    rep = alpha.user(REP_EMAIL)
    client = alpha.client(REP_EMAIL)
    first = client.get("/notifications/bell/").content.decode()
    after = re.search(r'name="after" value="(\d+)"', first).group(1)
    assert "notification-toast" not in first
    with alpha.active():
        company = CompanyFactory(owner=rep, name="Toast Co")
        create_note(record=company, body=f'<div><a href="#mention-{rep.pk}">@Rita</a> look</div>', by=alpha.user())

    with django_assert_max_num_queries(7):
        polled = client.get(f"/notifications/bell/?after={after}").content.decode()

    assert 'data-testid="unread-count">1<' in polled
    assert polled.count('data-testid="notification-toast"') == 1
    assert "mentioned you in a note on Toast Co" in polled
    newest = re.search(r'name="after" value="(\d+)"', polled).group(1)
    again = client.get(f"/notifications/bell/?after={newest}").content.decode()
    assert "notification-toast" not in again
    assert client.get("/notifications/bell/?after=abc").status_code == 200


def test_opening_a_notification_goes_to_its_record(alpha: TenantFixture, other_rep):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)
        create_note(record=company, body=f'<div><a href="#mention-{rep.pk}">@Rita</a></div>', by=alpha.user())
        notification = Notification.objects.get(recipient=rep)

    response = alpha.client(REP_EMAIL).post(f"/notifications/{notification.pk}/read/", {"open": "1"})

    assert response["Location"] == f"/companies/{company.pk}/"
    assert alpha.client(OTHER_REP_EMAIL).post(f"/notifications/{notification.pk}/read/").status_code == 404


def test_the_follow_button_of_another_tenant_cannot_be_reached(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    assert_cross_tenant_requests_fail(
        alpha, beta, [("post", f"/records/company/{company.pk}/follow/", {"follow": "0"})]
    )
