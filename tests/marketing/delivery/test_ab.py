"""The A/B subject test's winner: more unique opens in the test group after the wait wins, a tie
goes to A, the held rest is queued with the winner; nothing is decided before the wait is over."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services.ab import decide_due_tests
from modules.marketing.delivery.services.sends import start_send
from modules.marketing.models import MarketingEmail
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.tenancy import TenantFixture


def _tested(opens_a: int, opens_b: int) -> MarketingEmail:
    segment, _contacts = audience(40)
    email = marketing_email(segment, subject_b="Subject B", ab_percent=20, ab_wait_hours=4)
    start_send(email, by=None)
    now = timezone.now()
    for variant, count in (("a", opens_a), ("b", opens_b)):
        rows = list(Recipient.objects.filter(email=email, state="queued", variant=variant).order_by("pk"))
        Recipient.objects.filter(email=email, state="queued", variant=variant).update(state="sent", sent_at=now)
        Recipient.objects.filter(pk__in=[row.pk for row in rows[:count]]).update(opened_at=now, opens=3)
    return email


def test_the_subject_with_more_unique_opens_wins_after_the_wait(alpha: TenantFixture) -> None:
    with alpha.active():
        email = _tested(opens_a=1, opens_b=2)

        early = decide_due_tests(timezone.now() + timedelta(hours=3))
        decided = decide_due_tests(timezone.now() + timedelta(hours=4, minutes=1))

        assert early == []
        assert decided == [email.pk]
        email.refresh_from_db()
        assert email.ab_winner == "b"
        assert email.send.ab_winner == "b"
        assert email.send.status == "sending"
        rest = Recipient.objects.filter(email=email, state="queued")
        assert rest.count() == 32
        assert set(rest.values_list("variant", flat=True)) == {"b"}
        assert not Recipient.objects.filter(email=email, state="held").exists()


def test_a_tie_goes_to_a(alpha: TenantFixture) -> None:
    with alpha.active():
        email = _tested(opens_a=2, opens_b=2)

        decide_due_tests(timezone.now() + timedelta(hours=5))

        email.refresh_from_db()
        assert email.ab_winner == "a"
        assert set(Recipient.objects.filter(email=email, state="queued").values_list("variant", flat=True)) == {"a"}


def test_the_report_page_shows_the_test(alpha: TenantFixture) -> None:
    with alpha.active():
        email = _tested(opens_a=0, opens_b=3)
        decide_due_tests(timezone.now() + timedelta(hours=5))

    page = alpha.client().get(f"/marketing/delivery/emails/{email.pk}/").content.decode()

    assert 'data-testid="ab-test"' in page
    assert 'B: Subject B <span class="badge text-bg-success">Winner</span>' in page
