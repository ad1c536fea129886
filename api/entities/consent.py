"""Consent and subscriptions (marketing module): subscription topics, each contact's consent per
topic, the consent history and the suppression list.

Topics are records written like the others (``marketing.admin``, as on the settings page).
Consents are not created or deleted but moved: granting or withdrawing goes through
``record_consent`` with the caller as proof, the history is append-only and read-only, and an
address is suppressed or taken off the list (audited) — so those three are described for their
fields, filters and orderings, with the services of what they allow. Every role with
``marketing.view`` sees the topics and the suppression list; consents and history follow the
visibility of their contact."""

from __future__ import annotations

from api.entities.base import (
    ID,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
    writable,
)
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentAction, ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.consent.services.suppression import add_suppression, remove_suppression
from modules.marketing.consent.services.topics import create_topic, remove_topic, update_topic
from modules.marketing.models import Suppression, Topic

TOPIC = EntityDescription(
    name="topic",
    resource="topics",
    model=Topic,
    module="marketing",
    owner_field="",
    graphql_type="Topic",
    fields=(
        ID,
        writable("key", "Unique: letters, digits, - and _ (what forms and imports name)."),
        writable("name", "As contacts see it on the preference page."),
        writable("description"),
        writable("position", "Topics are listed by position, then name."),
        writable("is_active", "False: no longer offered (consent can only be withdrawn)."),
        Field("created_at"),
    ),
    filters=(Filter("is_active", FilterKind.BOOLEAN, field="is_active", description="Offered (true) or retired."),),
    orderings=orderings("position", "name", "created_at"),
    create=create_topic,
    update=update_topic,
    delete=remove_topic,
)

CONSENT = EntityDescription(
    name="consent",
    resource="consents",
    model=Consent,
    module="marketing",
    owner_field="",
    graphql_type="Consent",
    fields=(
        ID,
        relation("contact", "The contact; null when you may not see it.", read_only=True),
        relation("topic", read_only=True),
        Field("status", description="granted, withdrawn or pending (a double opt-in awaiting its click)."),
        Field("source", description="Where the last change came from (form, import, api, staff, …)."),
        Field("language", description="The language the contact used when consenting."),
        Field("changed_at"),
    ),
    filters=(
        by_id("contact", "Contact", "Consents of this contact (a Contact id)."),
        by_id("topic", "Topic", "Consents to this topic (a Topic id)."),
        choice("status", ConsentStatus),
        Filter(
            "changed_after",
            FilterKind.DATETIME,
            field="changed_at",
            lookup="gte",
            description="Changed at or after this time (ISO 8601).",
        ),
    ),
    orderings=orderings("changed_at"),
)

CONSENT_EVENT = EntityDescription(
    name="consent_event",
    resource="consent_events",
    rest_resource="consent-events",
    model=ConsentEvent,
    module="marketing",
    owner_field="",
    graphql_type="ConsentEvent",
    fields=(
        ID,
        relation("contact", "The contact; null when you may not see it.", read_only=True),
        relation("topic", "Null: the change was about every topic (an unsubscribe, a suppression).", read_only=True),
        Field("email", description="The contact's address when it happened."),
        Field("action"),
        Field("source"),
        Field("proof", description="What proves it: form, ip, user_agent, opt_in, staff_user, api_key, note…"),
        relation("actor", "The user who recorded it, if any.", read_only=True),
        Field("occurred_at"),
    ),
    filters=(
        by_id("contact", "Contact", "History of this contact (a Contact id)."),
        by_id("topic", "Topic", "History of this topic (a Topic id)."),
        choice("action", ConsentAction),
        choice("source", ConsentSource),
        Filter(
            "occurred_after",
            FilterKind.DATETIME,
            field="occurred_at",
            lookup="gte",
            description="At or after this time (ISO 8601).",
        ),
    ),
    orderings=orderings("occurred_at"),
)

SUPPRESSION = EntityDescription(
    name="suppression",
    resource="suppressions",
    model=Suppression,
    module="marketing",
    owner_field="",
    graphql_type="Suppression",
    fields=(
        ID,
        Field("email", writable=True, description="Stored lower-cased; one row per address."),
        Field("reason", writable=True, description="unsubscribed, hard_bounce, complaint or manual."),
        Field("source", description="Where it came from (a provider, a user's address)."),
        Field("detail", writable=True),
        Field("created_at"),
    ),
    filters=(
        Filter(
            "search",
            FilterKind.TEXT,
            field="email",
            lookup="icontains",
            description="Addresses containing this text (any case).",
        ),
        choice("reason", SuppressionReason),
    ),
    orderings=orderings("email", "created_at"),
    create=add_suppression,
    delete=remove_suppression,
)
