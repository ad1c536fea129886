"""One description per CRM entity (``EntityDescription``) from which the REST resources and the
GraphQL types and connections take their fields, filters, orderings, permissions and services.

Adding an entity: describe it in a module here and list it in ``ENTITIES``; give it a
``RecordViewSet`` (``entity`` + ``serializer_class`` with ``serializer_fields(...)``, registered by
``api/rest/urls.py``) and a DjangoObjectType (``fields = type_fields(...)``) with a root connection
taking ``connection_arguments(...)`` and resolving through ``filter_records(...)``. The tests in
``tests/api/entities/`` then hold both protocols to the description."""

from api.entities.activities import ACTIVITY
from api.entities.articles import ARTICLE
from api.entities.base import EntityDescription, Field, Filter, FilterKind, Ordering
from api.entities.campaigns import CAMPAIGN, CAMPAIGN_MEMBER
from api.entities.collateral import COLLATERAL_ITEM
from api.entities.consent import CONSENT, CONSENT_EVENT, SUPPRESSION, TOPIC
from api.entities.contact_centre import CALL, CSAT_ANSWER, SMS_MESSAGE
from api.entities.contacts import COMPANY, CONTACT
from api.entities.desk import ASSIGNMENT_RULE, CANNED_RESPONSE
from api.entities.mail import MAIL_MESSAGE, MAIL_THREAD, MEETING_ATTENDEE
from api.entities.marketing_emails import MARKETING_EMAIL
from api.entities.marketing_recipients import MARKETING_EMAIL_RECIPIENT
from api.entities.orders import ORDER
from api.entities.portal_users import PORTAL_USER
from api.entities.sales import DEAL, LEAD
from api.entities.scoring import LEAD_SCORE, SCORE_THRESHOLD, SCORING_RULE
from api.entities.segments import SEGMENT
from api.entities.service import CASE
from api.entities.sla import BUSINESS_CALENDAR, CALENDAR_HOLIDAY, SLA_POLICY
from api.entities.surveys import SURVEY, SURVEY_RESPONSE
from api.entities.touches import CAMPAIGN_TOUCH
from api.entities.webforms import FORM_SUBMISSION, WEB_FORM

ENTITIES: tuple[EntityDescription, ...] = (
    COMPANY, CONTACT, LEAD, DEAL, ACTIVITY, ORDER, CASE, ARTICLE, CAMPAIGN, CAMPAIGN_MEMBER, CAMPAIGN_TOUCH,
    WEB_FORM, FORM_SUBMISSION, SURVEY, SURVEY_RESPONSE,
    TOPIC, CONSENT, CONSENT_EVENT, SUPPRESSION,
    SCORING_RULE, SCORE_THRESHOLD, LEAD_SCORE,
    SEGMENT,
    COLLATERAL_ITEM,
    MARKETING_EMAIL,
    MARKETING_EMAIL_RECIPIENT,
    SLA_POLICY, BUSINESS_CALENDAR, CALENDAR_HOLIDAY,
    CALL, SMS_MESSAGE, CSAT_ANSWER,
    ASSIGNMENT_RULE, CANNED_RESPONSE,
    PORTAL_USER,
    MAIL_THREAD, MAIL_MESSAGE, MEETING_ATTENDEE,
)  # fmt: skip

__all__ = [
    "ACTIVITY",
    "ARTICLE",
    "ASSIGNMENT_RULE",
    "BUSINESS_CALENDAR",
    "CALENDAR_HOLIDAY",
    "CALL",
    "CAMPAIGN",
    "CAMPAIGN_MEMBER",
    "CAMPAIGN_TOUCH",
    "CANNED_RESPONSE",
    "CASE",
    "COLLATERAL_ITEM",
    "COMPANY",
    "CONSENT",
    "CONSENT_EVENT",
    "CONTACT",
    "CSAT_ANSWER",
    "DEAL",
    "ENTITIES",
    "FORM_SUBMISSION",
    "LEAD",
    "LEAD_SCORE",
    "MAIL_MESSAGE",
    "MAIL_THREAD",
    "MARKETING_EMAIL",
    "MARKETING_EMAIL_RECIPIENT",
    "MEETING_ATTENDEE",
    "ORDER",
    "PORTAL_USER",
    "SCORE_THRESHOLD",
    "SCORING_RULE",
    "SEGMENT",
    "SLA_POLICY",
    "SMS_MESSAGE",
    "SUPPRESSION",
    "SURVEY",
    "SURVEY_RESPONSE",
    "TOPIC",
    "WEB_FORM",
    "EntityDescription",
    "Field",
    "Filter",
    "FilterKind",
    "Ordering",
]
