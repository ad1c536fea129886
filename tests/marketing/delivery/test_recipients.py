"""The rows a send starts with: each contact once and each address once, whatever its case; the
suppressed and address-less skipped with the reason; a per-recipient Message-ID; nothing written
for an e-mail that is not ready."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from modules.marketing.choices import SuppressionReason
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.services.sends import start_send
from modules.marketing.models import SegmentMember, Suppression
from tests.factories import ContactFactory
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.tenancy import TenantFixture


def test_each_address_gets_one_row_and_the_unreachable_are_skipped_with_the_reason(alpha: TenantFixture) -> None:
    with alpha.active():
        segment, (ana, ion) = audience(2)
        twin = ContactFactory(first_name="Twin", email=ana.email.upper())
        silent = [ContactFactory(first_name="Silent", email="") for _ in range(2)]
        for contact in (twin, *silent):
            SegmentMember.objects.create(segment=segment, contact=contact)
        Suppression.objects.create(email=ion.email.upper(), reason=SuppressionReason.HARD_BOUNCE)
        email = marketing_email(segment)

        send = start_send(email, by=None)

        rows = list(Recipient.objects.filter(email=email).order_by("pk"))
        assert send.total == 4
        assert sorted((row.address, row.state, row.skip_reason) for row in rows) == [
            ("", "skipped", "no_address"), ("", "skipped", "no_address"),
            (ana.email, "queued", ""), (ion.email, "skipped", "suppressed"),
        ]  # fmt: skip
        assert [row.contact_id for row in rows if row.address == ana.email] == [ana.pk]  # the older twin
        ids = [row.message_id for row in rows]
        assert len(set(ids)) == 4
        assert all(value.startswith("<mk.") and value.endswith("@alpha.example>") for value in ids)


def test_an_e_mail_that_is_not_ready_starts_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        segment, _contacts = audience(2)
        no_segment = marketing_email(None, name="No segment")
        no_subject = marketing_email(segment, name="No subject", subject="")
        no_b = marketing_email(segment, name="No B", ab_percent=20)

        problems = []
        for email in (no_segment, no_subject, no_b):
            with pytest.raises(ValidationError) as refused:
                start_send(email, by=None)
            problems.append(sorted(refused.value.message_dict))

        assert problems == [["segment"], ["subject"], ["subject_b"]]
        assert not Send.objects.exists()
        assert not Recipient.objects.exists()


def test_an_e_mail_is_sent_once(alpha: TenantFixture) -> None:
    with alpha.active():
        segment, _contacts = audience(2)
        email = marketing_email(segment)
        start_send(email, by=None)

        with pytest.raises(ValidationError) as refused:
            start_send(email, by=None)

        assert list(refused.value.message_dict) == ["status"]
        assert Recipient.objects.filter(email=email).count() == 2


def test_the_ab_test_holds_the_rest_and_splits_the_test_group_in_halves(alpha: TenantFixture) -> None:
    with alpha.active():
        segment, _contacts = audience(40)
        email = marketing_email(segment, subject_b="Other subject", ab_percent=20, ab_wait_hours=2)

        send = start_send(email, by=None)

        states = sorted(Recipient.objects.filter(email=email).values_list("state", "variant"))
        assert states.count(("queued", "a")) == 4
        assert states.count(("queued", "b")) == 4
        assert states.count(("held", "a")) == 32
        assert send.status == "testing"
        assert send.ab_decide_at is not None
        assert (send.ab_decide_at - send.started_at).total_seconds() == 2 * 3600


def test_an_erased_contact_leaves_no_address_and_gets_nothing_more(alpha: TenantFixture) -> None:
    from modules.contacts.services.data_subject import erase_contact

    with alpha.active():
        segment, (ana, ion) = audience(2)
        email = marketing_email(segment)
        start_send(email, by=None)

        erase_contact(ana, by=alpha.user())

        rows = {row.address: row for row in Recipient.objects.filter(email=email)}
        assert ana.email not in rows
        gone = rows[""]
        assert (gone.contact_id, gone.state, gone.skip_reason) == (None, "skipped", "no_address")
        assert rows[ion.email].state == "queued"
