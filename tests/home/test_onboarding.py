"""The onboarding checklist: ticked from real state, dismissed by administrators, gone when done."""

from __future__ import annotations

from django.utils import timezone

from identity.models import AuditEntry, Invitation, Role, User
from modules.contacts.models import SampleRecord
from modules.dataio.imports.choices import ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.home.models import OnboardingState
from modules.sales.models import Stage
from tests.factories import DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, with_session_of


def steps(alpha: TenantFixture) -> dict[str, bool] | None:
    response = alpha.client().get("/")
    data = next((shown.data for shown in response.context["cards"] if shown.card.key == "onboarding"), None)
    return None if data is None else {step.item.key: step.done for step in data["steps"]}


def _single_user_workspace(alpha: TenantFixture) -> None:
    with alpha.active():
        User.objects.filter(email=REP_EMAIL).update(is_active=False)


def test_a_new_workspace_starts_with_every_step_open(alpha: TenantFixture):
    _single_user_workspace(alpha)

    assert steps(alpha) == {
        "invite-users": False,
        "import-contacts": False,
        "shape-pipeline": False,
        "first-deal": False,
    }


def test_steps_are_ticked_by_what_the_workspace_holds(alpha: TenantFixture):
    _single_user_workspace(alpha)
    admin = alpha.user()
    with alpha.active():
        Invitation.objects.create(
            email="new@example.test",
            role=Role.objects.get(key="sales_rep"),
            token_hash="x" * 64,
            expires_at=timezone.now(),
        )
        stage = Stage.objects.filter(kind="open").order_by("position").first()
        stage.rotting_days = 30
        stage.save()
        DealFactory(owner=admin)

    assert steps(alpha) == {
        "invite-users": True,
        "import-contacts": False,
        "shape-pipeline": True,
        "first-deal": True,
    }


def test_a_finished_import_ticks_its_step_a_sample_deal_does_not_tick_the_first_deal(alpha: TenantFixture):
    _single_user_workspace(alpha)
    admin = alpha.user()
    with alpha.active():
        sample = DealFactory(owner=admin)
        SampleRecord.objects.create(model="sales.Deal", object_id=sample.pk, fingerprint="-")
        ImportJob.objects.create(
            entity="contact", created_by=admin, status=ImportStatus.DONE, original_name="people.csv"
        )

    ticked = steps(alpha)

    assert ticked["import-contacts"] is True
    assert ticked["first-deal"] is False


def test_the_checklist_is_gone_once_every_step_is_done(alpha: TenantFixture):
    admin = alpha.user()  # alpha has two users: inviting is done
    with alpha.active():
        Stage.objects.filter(kind="open").update(rotting_days=60)
        DealFactory(owner=admin)
        ImportJob.objects.create(entity="contact", created_by=admin, status=ImportStatus.DONE, original_name="a.csv")

    assert steps(alpha) is None


def test_an_administrator_dismisses_it_for_everyone_and_it_is_audited(alpha: TenantFixture):
    response = alpha.client().post("/home/onboarding/dismiss/")

    assert response.status_code == 302
    assert steps(alpha) is None
    with alpha.active():
        state = OnboardingState.objects.get()
        assert state.dismissed_by == alpha.user()
        assert AuditEntry.objects.filter(action="onboarding.dismissed").count() == 1
    alpha.client().post("/home/onboarding/dismiss/")
    with alpha.active():
        assert AuditEntry.objects.filter(action="onboarding.dismissed").count() == 1  # once


def test_a_rep_cannot_dismiss_it_and_another_tenant_cannot_either(alpha: TenantFixture, beta: TenantFixture):
    refused = alpha.client(REP_EMAIL).post("/home/onboarding/dismiss/")

    assert refused.status_code == 403
    with alpha.active():
        assert not OnboardingState.objects.exists()
    beta.client().post("/home/onboarding/dismiss/")  # beta's own checklist, nothing of alpha's
    with alpha.active():
        assert not OnboardingState.objects.exists()
    assert steps(alpha) is not None


def test_get_is_not_allowed_on_dismiss(alpha: TenantFixture):
    assert alpha.client().get("/home/onboarding/dismiss/").status_code == 405


def test_cross_tenant_sessions_cannot_dismiss(alpha: TenantFixture, beta: TenantFixture):
    # The route exists on every tenant, so the intruder's own checklist answers; the stolen
    # session must still be refused and alpha unchanged.
    response = with_session_of(alpha.client(), beta.host).post("/home/onboarding/dismiss/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    with alpha.active():
        assert not OnboardingState.objects.exists()
