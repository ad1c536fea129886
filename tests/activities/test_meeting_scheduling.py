"""What the meeting form asks while it is filled in: people to invite, and colleagues' busy times
on the day being picked (never what the busy meetings are)."""

from datetime import UTC, timedelta

from django.utils import timezone

from tests.factories import ActivityFactory, ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, with_session_of


def _noon():
    return (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def _local(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_suggestions_offer_colleagues_and_visible_contacts_with_an_address(alpha: TenantFixture):
    with alpha.active():
        admin = alpha.user()
        ContactFactory(first_name="Repton", last_name="Seen", email="repton@customer.example", owner=admin)
        ContactFactory(first_name="Repton", last_name="Mute", email="")

    found = alpha.client().get("/activities/attendee-suggestions/", {"q": "rep"}).json()["results"]
    as_rep = alpha.client(REP_EMAIL).get("/activities/attendee-suggestions/", {"q": "repton"}).json()["results"]
    nothing = alpha.client().get("/activities/attendee-suggestions/", {"q": "x\x00"}).json()["results"]

    values = {item["value"]: item["detail"] for item in found}
    assert values[f"user:{alpha.user(REP_EMAIL).pk}"] == REP_EMAIL
    assert "repton@customer.example" in values.values()
    assert not any(item["label"] == "Repton Mute" for item in found)
    assert as_rep == []  # the admin's contact is not the rep's to see
    assert nothing == []


def test_free_busy_shows_the_chosen_colleagues_busy_slots_and_the_clash(alpha: TenantFixture):
    noon = _noon()
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        ActivityFactory(
            kind="meeting", subject="Secret deal", assignee=rep, due_at=noon, ends_at=noon + timedelta(hours=1)
        )
        editing = ActivityFactory(kind="meeting", assignee=rep, due_at=noon, ends_at=noon + timedelta(minutes=30))
    client = alpha.client()
    query = {"start": _local(noon + timedelta(minutes=30)), "end": _local(noon + timedelta(hours=2)), "users": [rep.pk]}

    response = client.get("/activities/free-busy/", query)
    left_out = client.get("/activities/free-busy/", {**query, "leave_out": editing.pk})

    [row] = response.context["rows"]
    assert (row["user"].pk, row["busy"], row["clash"]) == (rep.pk, [(noon, noon + timedelta(hours=1))], True)
    busy_slots = [slot["start"] for slot in row["slots"] if slot["busy"]]
    assert busy_slots == [noon, noon + timedelta(minutes=30)]
    assert next(slot["start"] for slot in row["slots"] if slot["proposed"]) == noon + timedelta(minutes=30)
    page = response.content.decode()
    assert "Secret deal" not in page
    assert 'data-clash="true"' in page
    assert left_out.context["rows"][0]["busy"] == [(noon, noon + timedelta(hours=1))]


def test_free_busy_refuses_bad_input_naming_it(alpha: TenantFixture):
    client = alpha.client()

    bad_start = client.get("/activities/free-busy/", {"start": "tomorrow", "users": "1"})
    bad_users = client.get("/activities/free-busy/", {"start": "2030-01-01T10:00", "users": "me"})
    too_many = client.get("/activities/free-busy/", {"start": "2030-01-01T10:00", "users": [str(n) for n in range(51)]})
    far = client.get("/activities/free-busy/", {"start": "9999-12-31T23:00", "users": "1"})

    assert [r.status_code for r in (bad_start, bad_users, too_many, far)] == [400, 400, 400, 400]
    assert b"start" in bad_start.content
    assert b"users" in bad_users.content


def test_scheduling_helpers_need_the_permission_and_stay_in_the_tenant(
    alpha: TenantFixture, beta: TenantFixture, viewer
):
    noon = _noon()
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        ActivityFactory(kind="meeting", assignee=rep, due_at=noon, ends_at=noon + timedelta(hours=1))
        ContactFactory(first_name="Zebulon", email="zebulon@customer.example", owner=alpha.user())
    query = {"start": _local(noon), "users": [rep.pk]}
    urls = [("/activities/free-busy/", query), ("/activities/attendee-suggestions/", {"q": "zebulon"})]

    read_only = [alpha.client(email=viewer.email).get(url, data).status_code for url, data in urls]
    stolen = [with_session_of(alpha.client(), beta.host).get(url, data) for url, data in urls]
    intruder = beta.client()

    assert read_only == [403, 403]
    assert [(r.status_code, r["Location"].startswith("/login/")) for r in stolen] == [(302, True), (302, True)]
    # The same ids exist in both workspaces: beta's rep is free and alpha's contact unknown there.
    assert intruder.get(*urls[0]).context["rows"][0]["busy"] == []
    assert intruder.get(*urls[1]).json()["results"] == []
