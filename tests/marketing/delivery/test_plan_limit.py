"""Monthly marketing e-mails are a plan limit: a send that would pass it is refused with the reason
and writes nothing; what waits to go counts as much as what went."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from billing.usage import count_usage
from modules.marketing.choices import EmailStatus
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.services.sends import start_send
from tests.billing.usage.conftest import subscribe
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.tenancy import TenantFixture


def test_a_send_past_the_monthly_limit_is_refused_and_writes_nothing(alpha: TenantFixture) -> None:
    subscribe(alpha, marketing_emails_per_month=5)
    with alpha.active():
        small_segment, _small = audience(3, prefix="first")
        big_segment, _big = audience(3, prefix="second")
        first = marketing_email(small_segment, name="First")
        second = marketing_email(big_segment, name="Second")

        start_send(first, by=None)
        with pytest.raises(ValidationError) as refused:
            start_send(second, by=None)

        assert refused.value.message_dict == {
            "recipients": [
                "This send has 3 recipients, but the plan allows 5 marketing e-mails a month and 2 are left."
            ]
        }
        second.refresh_from_db()
        assert second.status == EmailStatus.DRAFT
        assert not Send.objects.filter(email=second).exists()
        assert not Recipient.objects.filter(email=second).exists()
    assert count_usage(alpha.tenant).marketing_emails_this_month == 3


def test_without_a_limit_any_size_goes(alpha: TenantFixture) -> None:
    with alpha.active():
        segment, _contacts = audience(4)
        email = marketing_email(segment)

        send = start_send(email, by=None)

        assert (send.total, Recipient.objects.filter(email=email, state="queued").count()) == (4, 4)
