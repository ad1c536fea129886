"""Click-to-dial, call status callbacks and the inbound-call screen pop, against the fake Twilio."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from modules.activities.models import Activity, Notification
from modules.contacts.models import TimelineEntry
from modules.service.contact_centre.models import AgentPhone, Call
from modules.workspace.services import workspace_profile
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory, ContactFactory
from tests.service.contact_centre.conftest import AGENT_NUMBER, WORKSPACE_NUMBER, configure
from tests.service.contact_centre.fake_twilio import ACCOUNT_SID, FakeTwilio, signed_post
from tests.tenancy import REP_EMAIL, TenantFixture, grant


def _contact(alpha: TenantFixture, phone: str = "+49 30 5550 1234"):
    with alpha.active():
        return ContactFactory(first_name="Carla", last_name="Caller", phone=phone, company=CompanyFactory())


def test_click_to_dial_rings_the_agent_then_the_customer(alpha: TenantFixture, telephony: FakeTwilio):
    contact = _contact(alpha)
    response = alpha.client().post(
        reverse("contact-centre:dial"),
        {"number": contact.phone, "entity": "contact", "record": contact.pk, "next": f"/contacts/{contact.pk}/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    (request,) = telephony.of("Calls")
    assert request.account == ACCOUNT_SID
    assert request.params["To"] == AGENT_NUMBER
    assert request.params["From"] == WORKSPACE_NUMBER
    assert "<Number>+493055501234</Number>" in request.params["Twiml"]
    assert request.params["StatusCallback"] == f"http://{alpha.host}/hooks/telephony/voice/status/"
    with alpha.active():
        call = Call.objects.get()
        assert (call.direction, call.customer_number, call.contact_id) == ("outbound", "+493055501234", contact.pk)
        assert not Activity.objects.exists()


def test_the_status_callback_logs_the_call_once_with_its_duration(alpha: TenantFixture, telephony: FakeTwilio):
    contact = _contact(alpha)
    client = alpha.client()
    client.post(reverse("contact-centre:dial"), {"number": contact.phone, "entity": "contact", "record": contact.pk})
    with alpha.active():
        sid = Call.objects.get().provider_sid
    url = reverse("contact-centre-hooks:voice-status")
    params = {"CallSid": sid, "AccountSid": ACCOUNT_SID, "CallStatus": "completed", "CallDuration": "185"}
    first = signed_post(alpha.client(None), url, params, host=alpha.host)
    again = signed_post(alpha.client(None), url, params, host=alpha.host)
    assert (first.status_code, again.status_code) == (204, 204)
    with alpha.active():
        call = Call.objects.get()
        activity = Activity.objects.get()
        assert (call.status, call.duration, call.activity_id) == ("completed", 185, activity.pk)
        assert (activity.kind, activity.status, activity.direction, activity.outcome) == (
            "call", "done", "outbound", "successful",
        )  # fmt: skip
        assert activity.ends_at - activity.due_at == timedelta(seconds=185)
        assert activity.contact_id == contact.pk
        assert activity.company_id == contact.company_id
        assert "3 min 05 s" in activity.body
        assert TimelineEntry.objects.filter(activity=activity, contact=contact).count() == 1


def test_an_unanswered_call_is_logged_as_no_answer(alpha: TenantFixture, telephony: FakeTwilio):
    contact = _contact(alpha)
    alpha.client().post(reverse("contact-centre:dial"), {"number": contact.phone})
    with alpha.active():
        sid = Call.objects.get().provider_sid
    params = {"CallSid": sid, "CallStatus": "no-answer", "CallDuration": "0"}
    signed_post(alpha.client(None), reverse("contact-centre-hooks:voice-status"), params, host=alpha.host)
    with alpha.active():
        assert Activity.objects.get().outcome == "no_answer"


def test_an_inbound_call_rings_the_agents_and_notifies_them_with_the_callers_record(
    alpha: TenantFixture, telephony: FakeTwilio
):
    contact = _contact(alpha, phone="030 5550 1234")
    with alpha.active():
        ContactFactory(phone="+49 40 1111111")  # another number: not matched
    params = {"CallSid": "CA" + "a" * 32, "From": "+493055501234", "To": WORKSPACE_NUMBER, "CallStatus": "ringing"}
    url = reverse("contact-centre-hooks:voice-inbound")
    with alpha.active():
        profile = workspace_profile()
        profile.country = "DE"  # "030 …" is a Berlin number only in Germany
        profile.save()
    with alpha.active():  # notifications other tests committed in alpha are not this call's
        earlier = list(Notification.objects.values_list("pk", flat=True))
    response = signed_post(alpha.client(None), url, params, host=alpha.host)
    repeated = signed_post(alpha.client(None), url, params, host=alpha.host)
    assert response.status_code == 200
    assert repeated.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    agent = alpha.user()
    answered = f"http://{alpha.host}/hooks/telephony/voice/answered/{agent.pk}/"
    assert f'<Number url="{answered}" method="POST">{AGENT_NUMBER}</Number>' in response.content.decode()
    with alpha.active():
        call = Call.objects.get()
        notification = Notification.objects.exclude(pk__in=earlier).get()
        assert (call.direction, call.contact_id) == ("inbound", contact.pk)
        assert notification.recipient == alpha.user()
        assert (notification.kind, notification.target_url) == ("incoming_call", f"/contacts/{contact.pk}/")
        assert "Carla Caller" in notification.title


def test_the_agent_who_answers_an_inbound_call_is_its_agent_and_the_activitys(
    alpha: TenantFixture, telephony: FakeTwilio, make_user
):
    contact = _contact(alpha)
    colleague = make_user("admin", "colleague@alpha.example", full_name="Colin Colleague")
    with alpha.active():
        AgentPhone.objects.create(user=colleague, number="+4917699999999")
    sid = "CA" + "c" * 32
    params = {"CallSid": sid, "From": "+493055501234", "To": WORKSPACE_NUMBER}
    signed_post(alpha.client(None), reverse("contact-centre-hooks:voice-inbound"), params, host=alpha.host)
    answered = reverse("contact-centre-hooks:voice-answered", args=[colleague.pk])
    leg = {"CallSid": "CA" + "d" * 32, "ParentCallSid": sid, "CallStatus": "in-progress"}

    forged = alpha.client(None).post(answered, leg, HTTP_X_TWILIO_SIGNATURE="forged")
    first = signed_post(alpha.client(None), answered, leg, host=alpha.host)
    later = signed_post(alpha.client(None), reverse("contact-centre-hooks:voice-answered", args=[alpha.user().pk]),
                        {**leg, "CallSid": "CA" + "e" * 32}, host=alpha.host)  # fmt: skip
    ended = {"CallSid": sid, "CallStatus": "completed", "CallDuration": "42"}
    signed_post(alpha.client(None), reverse("contact-centre-hooks:voice-status"), ended, host=alpha.host)

    assert forged.status_code == 403
    assert (first.status_code, later.status_code) == (200, 200)
    assert first["Content-Type"].startswith("text/xml")
    with alpha.active():
        call = Call.objects.get()
        activity = Activity.objects.get()
        assert call.agent_id == colleague.pk  # the first phone to answer, not the later one
        assert (activity.assignee_id, activity.direction, activity.contact_id) == (colleague.pk, "inbound", contact.pk)


def test_an_unknown_caller_links_to_the_call_page_that_offers_a_new_contact(
    alpha: TenantFixture, telephony: FakeTwilio
):
    params = {"CallSid": "CA" + "b" * 32, "From": "+4989777777", "To": WORKSPACE_NUMBER}
    with alpha.active():  # notifications other tests committed in alpha are not this call's
        earlier = list(Notification.objects.values_list("pk", flat=True))
    signed_post(alpha.client(None), reverse("contact-centre-hooks:voice-inbound"), params, host=alpha.host)
    with alpha.active():
        call = Call.objects.get()
        notification = Notification.objects.exclude(pk__in=earlier).get()
    assert call.contact_id is None
    assert notification.target_url == f"/contact-centre/calls/{call.pk}/"
    page = alpha.client().get(notification.target_url)
    assert page.status_code == 200
    assert 'href="/contacts/new/?phone=%2B4989777777"' in page.content.decode()
    form = alpha.client().get("/contacts/new/?phone=%2B4989777777")
    assert form.context["form"].initial["phone"] == "+4989777777"


def test_a_forged_or_other_tenants_callback_is_refused_and_writes_nothing(
    alpha: TenantFixture, beta: TenantFixture, telephony: FakeTwilio
):
    configure(beta, token="beta-token")
    params = {"CallSid": "CA" + "c" * 32, "From": "+4989777777", "To": WORKSPACE_NUMBER}
    url = reverse("contact-centre-hooks:voice-inbound")
    forged = alpha.client(None).post(url, params, HTTP_X_TWILIO_SIGNATURE="bm90IGEgc2lnbmF0dXJl")
    unsigned = alpha.client(None).post(url, params)
    betas = signed_post(alpha.client(None), url, params, token="beta-token", host=alpha.host)
    other_host = signed_post(alpha.client(None), url, params, host=beta.host)  # signed for beta's URL
    altered = signed_post(alpha.client(None), url, {**params, "From": "+493055501234"}, host=alpha.host)
    assert [r.status_code for r in (forged, unsigned, betas, other_host)] == [403, 403, 403, 403]
    assert altered.status_code == 200  # the genuine one
    with alpha.active():
        assert Call.objects.count() == 1
        assert Notification.objects.filter(kind="incoming_call").count() == 1
    with beta.active():
        assert not Call.objects.exists()


def test_callbacks_are_not_there_without_the_module_or_without_telephony(alpha: TenantFixture, fake_twilio):
    params = {"CallSid": "CA" + "d" * 32, "From": "+4989777777"}
    url = reverse("contact-centre-hooks:voice-inbound")
    assert signed_post(alpha.client(None), url, params, host=alpha.host).status_code == 404
    configure(alpha)
    without_modules(alpha, "service")
    assert signed_post(alpha.client(None), url, params, host=alpha.host).status_code == 404
    with alpha.active():
        assert not Call.objects.exists()


def test_dialling_needs_the_permission_the_plan_and_a_valid_number(alpha: TenantFixture, telephony: FakeTwilio):
    url = reverse("contact-centre:dial")
    rep = alpha.client(REP_EMAIL).post(url, {"number": "+493055501234"})
    bad = alpha.client().post(url, {"number": "not a number"})
    missing = alpha.client().post(url, {})
    grant(alpha, "sales_rep", "service.view")
    no_phone = alpha.client(REP_EMAIL).post(url, {"number": "+493055501234"})
    assert rep.status_code == 403
    assert (bad.status_code, missing.status_code, no_phone.status_code) == (400, 400, 400)
    assert "number" in bad.content.decode()
    assert "number" in missing.content.decode()
    assert "agent_phone" in no_phone.content.decode()
    without_modules(alpha, "service")
    gated = alpha.client().post(url, {"number": "+493055501234"})
    assert gated.status_code == 403
    assert "errors/not_in_plan.html" in [t.name for t in gated.templates]
    assert telephony.requests == []


def test_another_tenants_record_cannot_be_dialled_from_here(
    alpha: TenantFixture, beta: TenantFixture, telephony: FakeTwilio
):
    with beta.active():
        theirs = ContactFactory(phone="+493055501234")
    response = alpha.client().post(
        reverse("contact-centre:dial"), {"number": "+493055501234", "entity": "contact", "record": theirs.pk + 10_000}
    )
    assert response.status_code == 404
    assert telephony.requests == []


def test_the_provider_refusing_names_the_provider_and_writes_nothing(alpha: TenantFixture, telephony: FakeTwilio):
    telephony.fail_next(1)
    response = alpha.client().post(reverse("contact-centre:dial"), {"number": "+493055501234"})
    assert response.status_code == 400
    assert "provider" in response.content.decode()
    with alpha.active():
        assert not Call.objects.exists()


def test_the_call_button_shows_only_when_telephony_is_set_up(alpha: TenantFixture, fake_twilio: FakeTwilio):
    contact = _contact(alpha)
    page = f"/contacts/{contact.pk}/"
    before = alpha.client().get(page).content.decode()
    configure(alpha)
    after = alpha.client().get(page).content.decode()
    rep = alpha.client(REP_EMAIL).get(page)
    assert 'data-testid="call-button"' not in before
    assert 'data-testid="call-button"' in after
    assert 'data-testid="call-button"' not in rep.content.decode()  # no service.view


def test_the_call_page_is_the_workspaces_own(alpha: TenantFixture, beta: TenantFixture, telephony: FakeTwilio):
    with alpha.active():
        call = Call.objects.create(provider_sid="CA1", direction="inbound", customer_number="+4989777777",
                                   workspace_number=WORKSPACE_NUMBER)  # fmt: skip
    url = reverse("contact-centre:call-detail", args=[call.pk])
    assert alpha.client().get(url).status_code == 200
    assert alpha.client(REP_EMAIL).get(url).status_code == 403
    assert beta.client().get(url).status_code == 404
