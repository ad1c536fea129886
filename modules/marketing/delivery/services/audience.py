"""The recipients' rows of a send, written in SQL in one statement: the segment's contacts, each
once (by contact and by lower-cased address), queued when they may be written to, else skipped with
the reason (no address, suppressed, not subscribed to the e-mail's topic)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, Lower

from modules.contacts.models import Contact
from modules.marketing.delivery.choices import RecipientState, SkipReason, Variant
from modules.marketing.delivery.models import Recipient
from modules.marketing.models import MarketingEmail, Suppression
from modules.marketing.selectors.audience import segment_contacts, without_suppressed


def _audience_rows(email: MarketingEmail):  # type: ignore[no-untyped-def]
    same = Contact.objects.filter(pk=OuterRef("pk"))
    allowed = Exists(without_suppressed(same))
    listening = None
    if email.topic_id:
        from modules.marketing.consent.services import subscribed

        listening = Exists(subscribed(Contact.objects.filter(pk=OuterRef("pk")), email.topic))
    whens = [
        When(email="", then=Value(SkipReason.NO_ADDRESS.value)),
        When(~allowed, then=Value(SkipReason.SUPPRESSED.value)),
    ]
    if listening is not None:
        whens.append(When(~listening, then=Value(SkipReason.UNSUBSCRIBED.value)))
    if email.segment is None:
        raise ValueError("a send needs a segment")
    return (
        segment_contacts(email.segment)
        .annotate(
            # Contacts without an address are each their own row (they share no address).
            address_key=Case(
                When(email="", then=Concat(Value("#"), Cast("pk", CharField()))),
                default=Lower("email"),
                output_field=CharField(),
            ),
            skip=Case(*whens, default=Value(""), output_field=CharField()),
        )
        .order_by("address_key", "pk")
        .distinct("address_key")
        .values_list("pk", "email", "skip", "address_key")
    )


def message_id_domain(email: MarketingEmail) -> str:
    address = email.from_address or ""
    return address.rpartition("@")[2].lower() or settings.BASE_DOMAIN


def create_recipients(email: MarketingEmail) -> int:
    """Insert the send's rows (no-address contacts are each their own row, as they share no address)
    and give each its Message-ID: ``<mk.<row>.<e-mail>.<workspace digest>@<sender domain>>``."""
    contacts = _audience_rows(email)
    sql, params = contacts.query.sql_with_params()
    table = Recipient._meta.db_table
    queued, skipped = RecipientState.QUEUED.value, RecipientState.SKIPPED.value
    workspace = hashlib.sha256(str(getattr(connection, "schema_name", "")).encode()).hexdigest()[:10]
    # Identifiers come from the models; values are parameters.
    insert = f"""
        INSERT INTO {table} (email_id, contact_id, address, variant, state, skip_reason, message_id,
            provider_message_id, claim, attempts, opens, clicks, soft_bounces, error)
        SELECT %s, audience.id, lower(audience.email), %s,
            CASE WHEN audience.skip = '' THEN %s ELSE %s END, audience.skip, '', '', '', 0, 0, 0, 0, ''
        FROM ({sql}) AS audience (id, email, skip, address_key)
        ON CONFLICT DO NOTHING
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(insert, [email.pk, Variant.A.value, queued, skipped, *params])
        created = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} SET message_id = '<mk.' || id || '.' || email_id || '.' || %s || '@' || %s || '>'"  # noqa: S608
            " WHERE email_id = %s AND message_id = ''",
            [workspace, message_id_domain(email), email.pk],
        )
    return created


def split_for_ab_test(email: MarketingEmail) -> int:
    """Put ``ab_percent`` % of the queued rows in the test (alternately subject A and B, in an order
    fixed by a digest of the row, so the groups are random-like but reproducible) and hold the rest
    for the winner. Returns the size of the test group."""
    table = Recipient._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH ranked AS (
                SELECT id, row_number() OVER (ORDER BY md5(id::text || ':' || email_id::text), id) AS n,
                       greatest(2, round(count(*) OVER () * %s / 100.0)) AS tested
                FROM {table} WHERE email_id = %s AND state = %s
            )
            UPDATE {table} AS r SET
                state = CASE WHEN ranked.n <= ranked.tested THEN %s ELSE %s END,
                variant = CASE WHEN ranked.n <= ranked.tested AND ranked.n %% 2 = 0 THEN %s ELSE %s END
            FROM ranked WHERE r.id = ranked.id
            """,  # noqa: S608
            [
                email.ab_percent, email.pk, RecipientState.QUEUED.value, RecipientState.QUEUED.value,
                RecipientState.HELD.value, Variant.B.value, Variant.A.value,
            ],
        )  # fmt: skip
    return Recipient.objects.filter(email=email, state=RecipientState.QUEUED).count()


def skip_unreachable(email: MarketingEmail, rows: QuerySet[Recipient]) -> int:
    """Mark skipped, with the reason, those of ``rows`` that may no longer be written to (the address
    suppressed, or the contact unsubscribed from the e-mail's topic): a row sent again later honours
    what happened since the send started. Returns how many were skipped."""
    suppressed = Suppression.objects.annotate(lowered=Lower("email")).filter(lowered=OuterRef("address"))
    skipped = rows.filter(Exists(suppressed)).update(
        state=RecipientState.SKIPPED, skip_reason=SkipReason.SUPPRESSED, claim="", error=""
    )
    if email.topic_id:
        from modules.marketing.consent.services import subscribed

        listening = Exists(subscribed(Contact.objects.filter(pk=OuterRef("contact_id")), email.topic))
        skipped += (
            rows.filter(contact__isnull=False)
            .exclude(listening)
            .update(state=RecipientState.SKIPPED, skip_reason=SkipReason.UNSUBSCRIBED, claim="", error="")
        )
    return skipped
