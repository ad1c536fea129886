"""The Content-Security-Policy: every page of both URL confs, walked as an admin (a tenant's, an
operator on the public host) over demo-like data, is sent the enforced policy, and its HTML has no
inline script and no handler attribute for the policy to break."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from api.webhooks.models import EndpointSecret
from api.webhooks.services.deliveries import send_test_event
from api.webhooks.services.endpoints import create_endpoint
from billing.models import Plan, StripeEvent
from customization.fields.models import CustomFieldDefinition
from customization.workflows.models import SelectionRun, WorkflowRule, WorkflowRun
from customization.workflows.services import create_email_template
from identity.models import ApiKey, Invitation, Role, Team, User
from identity.services.api_keys import create_api_key
from identity.services.invitations import invite_user
from identity.services.operators import ensure_operator
from modules.activities.models import Activity, CalendarFeed, Notification
from modules.analytics.dashboards.services import add_widget, create_dashboard
from modules.analytics.reports.delivery.services import create_subscription
from modules.analytics.reports.services import create_report
from modules.analytics.warehouse.models import WarehouseExport
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.collaboration.services.attachments import add_attachment
from modules.collaboration.services.notes import create_note
from modules.contacts.demo.builder import DemoSize
from modules.contacts.demo.seed import load_demo_data
from modules.contacts.models import Company, Contact, ExchangeRate, SavedView, Tag
from modules.dataio.exports.models import ExportJob
from modules.dataio.imports.services import upload_file
from modules.mailboxes.services.mailboxes import connect_mailbox
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store_batch import WrittenFiles, store_messages
from modules.marketing.collateral.services import create_item
from modules.marketing.delivery.services.sends import start_send
from modules.marketing.email.models import SendingDomain
from modules.marketing.email.services.emails import create_email, save_as_template
from modules.marketing.models import Campaign, CampaignMember, MarketingEmail, Segment, SegmentMember, Suppression
from modules.marketing.scoring.services.rules import create_threshold, save_rule
from modules.marketing.segments.services import add_to_list, create_segment
from modules.marketing.webforms.services.forms import create_form
from modules.marketing.webforms.services.submissions import Visit, submit
from modules.sales.models import (
    Deal,
    Lead,
    LostReason,
    Order,
    OrderLine,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteLine,
    QuoteShare,
    Stage,
)
from modules.sales.services.quote_sharing import hash_token
from modules.service.contact_centre.models import Call, TelephonySettings
from modules.service.desk.services.assignment import create_rule
from modules.service.desk.services.canned import create_canned_response
from modules.service.knowledge.services.articles import create_article, publish_article
from modules.service.knowledge.services.categories import create_category
from modules.service.mail.services.addresses import create_address
from modules.service.models import CaseAttachment, CaseCategory, CaseStatus
from modules.service.services.cases import add_message, create_case
from modules.service.sla.services.calendars import add_holiday, save_calendar
from modules.service.sla.services.policies import save_policy
from tests.console.conftest import verified_operator_client
from tests.entitlements.surfaces import consent_records
from tests.mailboxes.conftest import message as mail_message_bytes
from tests.marketing.email.conftest import BLOCKS as PAGE_BLOCKS
from tests.marketing.surveys.sweep_data import survey_objects
from tests.page_markup import page_markup, refused_by_alpine_csp_build
from tests.routes import url_routes
from tests.tenancy import TenantFixture

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}
# Redoc and GraphiQL are the vendors' pages, each with a policy of its own.
REDOC_POLICY = {**POLICY, "worker-src": "'self' blob:"}
GRAPHIQL_POLICY = {
    **POLICY,
    "script-src": "'self' https://cdn.jsdelivr.net",
    "style-src": "'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "font-src": "'self' data: https://cdn.jsdelivr.net",
}
# A marketing e-mail's preview is the e-mail's own document in a sandboxed frame of the editor.
EMAIL_PREVIEW_POLICY = {
    **POLICY,
    "default-src": "'none'",
    "script-src": "'none'",
    "style-src": "'unsafe-inline'",
    "img-src": "https: data:",
    "font-src": "https: data:",
    "connect-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'self'",
}
POLICY_OF_VIEW = {
    "api:redoc": REDOC_POLICY,
    "graphql:endpoint": GRAPHIQL_POLICY,
    "marketing-email:preview": EMAIL_PREVIEW_POLICY,
    "marketing-email:saved-preview": EMAIL_PREVIEW_POLICY,
}


def directives(header: str | None) -> dict[str, str]:
    """The policy's directives (their order in the header carries no meaning)."""
    parts = (part.strip().split(" ", 1) for part in (header or "").split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def _path(route: str, values: dict[str, str]) -> str:
    """The route with its parameters filled (path converters and the REST router's regexes)."""
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], route)
    return "/" + route.replace("^", "").replace("$", "")


def _first(model: type, **filters: object) -> str:
    pk = model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    assert pk is not None, f"the test data has no {model.__name__}"
    return str(pk)


# What a URL's <pk> is, by URL name (first match wins; a name matching none fails the walk, so
# a new page cannot go unchecked).
PK_OF = (
    (r"analytics:report-", "report"),
    (r"api:analytics-report-subscription-", "report_subscription"),
    (r"analytics:dashboard-", "dashboard"),
    (r"api:analytics-dashboard-widget-", "dashboard_widget"),
    (r"api:analytics-dashboard-", "dashboard"),
    (r"analytics:warehouse-", "warehouse_export"),
    (r"api:analytics-warehouse-export-", "warehouse_export"),
    (r"api:analytics-report-", "report"),
    (r"workflows:template-", "email_template"),
    (r"mail-compose:", "contact"),  # entity "contact" (a fixed parameter)
    (r"workflows:", "rule"),
    (r"custom-fields:", "custom_field"),
    (r"pipelines-admin:", "pipeline"),
    (r"service-desk-admin:status-", "case_status"),
    (r"service-desk-admin:category-", "case_category"),
    (r"service-desk-admin:rule-", "assignment_rule"),
    (r"service-desk-admin:canned-", "shared_canned_response"),
    (r"service-desk:canned-render", "shared_canned_response"),
    (r"service-desk:canned-", "own_canned_response"),
    (r"sla-admin:(calendar|holiday)", "sla_calendar"),
    (r"sla-admin:policy", "sla_policy"),
    (r"api-keys:", "api_key"),
    (r"oauth-apps:", "absent"),
    (r"webhooks:", "endpoint"),
    (r"billing-settings:invoice", "absent"),
    (r"settings:user-", "user"),
    (r"settings:invitation-", "invitation"),
    (r"settings:role-", "role"),
    (r"settings:team-", "team"),
    (r"imports:", "import_job"),
    (r"exports:", "export_job"),
    (r"exchange-rates:", "exchange_rate"),
    (r"contact-centre:call-", "call"),
    (r"service-mail-admin:", "support_address"),
    (r"mailboxes:", "mailbox"),
    (r"mail-threads:attachment", "mail_attachment"),
    (r"mail-threads:", "mail_thread"),
    (r"marketing-delivery:", "marketing_email"),
    (r"marketing-email:from-template", "marketing_template"),
    (r"marketing-email:", "marketing_email_draft"),
    (r"marketing-email-admin:domain", "sending_domain"),
    (r"contact-centre:sms-consent", "contact"),
    (r"marketing-consent:topic-", "topic"),
    (r"marketing-consent:contact-", "contact"),
    (r"collaboration:note-", "note"),
    (r"collaboration:attachment-(download|delete)", "attachment"),
    (r"collaboration:", "contact"),
    (r"contacts:company-", "company"),
    (r"contacts:contact-", "contact"),
    (r"contacts:saved-view-", "contact_view"),
    (r"contacts:timeline", "contact"),
    (r"contacts:inline-field", "contact"),
    (r"activities:notification-", "notification"),
    (r"activities:", "activity"),
    (r"sales:lead-", "lead"),
    (r"sales:deal-view-", "deal_view"),
    (r"sales:deal-", "deal"),
    (r"sales:product-", "product"),
    (r"sales:price-list-", "price_list"),
    (r"sales:quote-", "quote"),
    (r"sales:order-", "order"),
    (r"sales:purchase-history-company", "company"),
    (r"sales:purchase-history-contact", "contact"),
    (r"service:case-view-", "case_view"),
    (r"service:case-", "case"),
    (r"service:customer-cases-company", "company"),
    (r"service:customer-cases-contact", "contact"),
    (r"marketing-segments:contact-card", "contact"),
    (r"marketing-segments:", "segment"),
    (r"marketing:campaign-view-", "campaign_view"),
    (r"marketing:campaign-", "campaign"),
    (r"marketing:record-campaigns", "contact"),
    (r"knowledge:category-", "knowledge_category"),
    (r"knowledge:", "article"),
    (r"marketing-scoring:card", "contact"),
    (r"marketing-scoring:threshold", "score_threshold"),
    (r"marketing-scoring:", "scoring_rule"),
    (r"marketing-collateral:", "collateral_item"),
    (r"analytics:basket-product", "product"),
    (r"analytics:basket-company", "company"),
    (r"analytics:basket-deal", "deal"),
    (r"analytics:customer-value-company", "company"),
    (r"analytics:customer-value-contact", "contact"),
    (r"analytics:act-result", "selection"),
    (r"api:analytics-workflow-selection", "selection"),
    (r"api:user-", "user"),
    (r"api:company-", "company"),
    (r"api:contact-", "contact"),
    (r"api:activity-", "activity"),
    (r"api:lead-", "lead"),
    (r"api:deal-", "deal"),
    (r"api:tag-", "tag"),
    (r"api:pipeline-", "pipeline"),
    (r"api:lost-reason-", "lost_reason"),
    (r"api:product-", "product"),
    (r"api:quote", "quote"),
    (r"api:order", "order"),
    (r"api:article", "article"),
    (r"api:segment", "segment"),
    (r"api:topic", "topic"),
    (r"api:consent-event-", "absent"),  # read-only history: any id shows the policy on its answer
    (r"api:consent-", "consent"),
    (r"api:suppression-", "suppression"),
    (r"api:scoring-rule-", "scoring_rule"),
    (r"api:score-threshold-", "score_threshold"),
    (r"api:lead-score-", "absent"),  # a score is kept by the scoring consumer: any id shows the policy
    (r"api:marketing-email-recipient-", "absent"),
    (r"api:mail_thread-", "mail_thread"),
    (r"api:mail_message-", "absent"),  # read only: any id shows the policy on its answer
    (r"api:meeting_attendee-", "absent"),
    (r"api:marketing_email-", "marketing_email_draft"),
    (r"api:collateral_item", "collateral_item"),
    (r"api:campaign_member", "campaign_member"),
    (r"api:campaign", "campaign"),
    (r"api:case-status", "case_status"),
    (r"api:case-categor", "case_category"),
    (r"api:case", "case"),
    (r"api:web_form", "web_form"),
    (r"api:form_submission", "form_submission"),
    # The service module's settings, desk and contact-centre records: their JSON answers (a 404
    # problem for an id that names nothing) carry the policy like every API answer.
    (r"api:(sla_policy|business_calendar|calendar_holiday|assignment_rule|canned_response)-", "absent"),
    (r"api:(call|sms_message|csat_answer|portal_user)-", "absent"),
    (r"marketing-forms:", "web_form"),
    (r"console:invoice-", "absent"),
    (r"console:stripe-event", "stripe_event"),
    (r"console:plan", "plan"),
    (r"console:fleet-migrate", "absent"),
    (r"api:survey_response", "survey_response"),
    (r"api:survey", "survey"),
    (r"marketing-surveys:survey-view-", "survey_view"),
    # Saved views of the marketing lists (POST-only routes: any saved view's id will do).
    (r"marketing-(segments:segment|email:email|forms:submission)-view-", "campaign_view"),
    (r"marketing-surveys:contact-nps", "contact"),
    (r"marketing-surveys:", "survey"),
    # The portal's pages send a staff browser to the portal's sign-in before reading any record.
    (r"portal:", "absent"),
    (r"portal-users:", "absent"),
)
# The other parameters, by name.
PARAMETER_OBJECT = {
    "stage_pk": "stage",
    "pipeline_pk": "pipeline",
    "run_pk": "run",
    "secret_pk": "secret",
    "delivery_pk": "delivery",
    "item_pk": "price_list_item",
    "line_pk": "quote_line",
    "line_id": "quote_line",
    "order_line_id": "order_line",
    "file_id": "attachment",
    "share_pk": "quote_share",
    "share_id": "quote_share",
    "subscription_pk": "report_subscription",
    "widget_pk": "dashboard_widget",
    "dashboard_pk": "dashboard",
    "attachment_pk": "case_attachment",
    "version_pk": "article_version",
    "case_pk": "case",
    "message_id": "case_message",
    "attachment_id": "case_attachment",
    "holiday_pk": "sla_holiday",
    "contact_pk": "contact",
    "question_pk": "survey_question",
    "collateral_version_pk": "collateral_version",
    "version_id": "collateral_version",
    "member_pk": "campaign_member",
    "view_pk": "campaign_view",
    "attendee_pk": "absent",  # POST only: the walk's GET is refused before any lookup
    "agent": "absent",  # the telephony hook "this agent answered": POST only, signed
}
# A quote's public page is walked with a link that works (a wrong one shows a page too, tested elsewhere).
QUOTE_TOKEN = "pages-quote-token"
FIXED_PARAMETERS = {
    "entity": "contact",
    "subject": "contact",
    "field": "first_name",
    "kind": "contact",
    "file_format": "csv",
    "key": "alpha",
    "provider": "microsoft",  # an OAuth2 provider's name (connecting an account is POST only)
    "index": "1",  # a part of a message in the console's mailbox (none in tests: the page's 404)
    "stamp": "0",  # an occurrence of a series by its start (the walked activity is none: the page's 404)
    # Sign-in links, password resets, invitations and signups: a link that does not work shows its page.
    "token": "not-a-token",
    "uidb64": "MQ",
    # The API's catch-all: an address under /api/ that names nothing answers a problem document.
    "route": "v1/nothing-here/",
}


def _parameters(name: str, route: str, objects: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for parameter in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route):
        parameter = parameter[0] or parameter[1]
        if parameter == "pk":
            kind = next((kind for pattern, kind in PK_OF if re.match(pattern, name)), None)
            assert kind is not None, f"{name}: which object is its <pk>?"
            values["pk"] = objects[kind]
        elif parameter == "token" and name == "activities:calendar-feed":
            values["token"] = objects["feed_token"]
        elif parameter == "token" and name.startswith("quote-public:"):
            values["token"] = QUOTE_TOKEN
        elif parameter == "token" and name.startswith("marketing-consent-public:"):
            values["token"] = objects["opt_in_token" if name.endswith(":confirm") else "unsubscribe_token"]
        elif parameter == "token" and name.startswith("survey-public:"):
            values["token"] = objects["survey_token"]
        elif parameter in PARAMETER_OBJECT:
            values[parameter] = objects[PARAMETER_OBJECT[parameter]]
        else:
            values[parameter] = FIXED_PARAMETERS[parameter]
    return values


def _sent_marketing_email() -> MarketingEmail:
    """A marketing e-mail whose send has started, so its page shows the progress and the report."""
    segment = Segment.objects.create(name="Pages segment", kind="static")
    reader = Contact.objects.create(first_name="Pages", last_name="Reader", email="pages.reader@people.example")
    SegmentMember.objects.create(segment=segment, contact=reader)
    email = MarketingEmail.objects.create(name="Pages e-mail", subject="Hello", segment=segment, ab_percent=0)
    start_send(email, by=None)
    return email


def _tenant_objects(tenant: TenantFixture) -> dict[str, str]:
    """Demo data plus one of each record the demo leaves out; their ids by what URLs call them."""
    with tenant.active():
        admin = tenant.user()
        load_demo_data(size=DemoSize(companies=3, contacts=4, leads=3, deals=4, activities=6))
        endpoint = create_endpoint(url="http://127.0.0.1:9/hook", by=None)
        delivery = send_test_event(endpoint)
        import_job = upload_file(
            entity="contact", upload=SimpleUploadedFile("people.csv", b"first_name,last_name\nAna,Pop\n"), by=admin
        )
        ExportJob.objects.create(entity="company", file_format="csv", created_by=admin)
        create_api_key(user=admin, name="Pages", scopes=["contacts:read"])
        invite_user(
            email="invitee@example.test", role=Role.objects.get(key="sales_rep"), teams=[], invited_by=admin,
            accept_url_base="http://alpha.localhost/invitations/",
        )  # fmt: skip
        SavedView.objects.create(owner=admin, entity="contact", name="Mine", query={})
        # Telephony set up, so phone numbers carry their call buttons; and an inbound call's page.
        telephony = TelephonySettings(account_sid="AC-pages", numbers=["+4930123456789"])
        telephony.set_auth_token("pages-token")
        telephony.save()
        call = Call.objects.create(
            provider_sid="CA-pages",
            direction="inbound",
            customer_number="+4989777777",
            workspace_number="+4930123456789",
        )
        SavedView.objects.create(owner=admin, entity="deal", name="Mine", query={})
        Notification.objects.create(recipient=admin, kind="reminder", title="Call", dedupe_key="pages")
        price_list = PriceList.objects.create(name="Retail", currency="EUR")
        item = PriceListItem.objects.create(price_list=price_list, product=Product.objects.first(), unit_price="10.00")
        rule = WorkflowRule.objects.order_by("pk").first()
        assert rule is not None
        run = WorkflowRun.objects.create(
            rule=rule, version=rule.version, trigger_key="pages", entity=rule.entity, record_id=1, status="succeeded"
        )
        template = create_email_template(name="Hello", subject="Hello", body="Hello {{ owner.first_name }}")
        quote = Quote.objects.filter(lines__isnull=False).order_by("pk").first()
        assert quote is not None
        share = QuoteShare.objects.create(
            quote=quote,
            token_hash=hash_token(QUOTE_TOKEN),
            created_by=admin,
            expires_at=timezone.now() + timedelta(days=1),
        )
        pipeline = Pipeline.objects.order_by("pk").first()
        assert pipeline is not None
        feed, _created = CalendarFeed.objects.get_or_create(user=admin)
        contact = Contact.objects.order_by("pk").first()
        note = create_note(record=contact, body="<div>A <strong>note</strong></div>", by=admin).note
        attachment = add_attachment(record=contact, upload=SimpleUploadedFile("a.txt", b"words"), by=admin)
        report = create_report(
            by=admin, name="Deals by stage", source="deals", chart="bar",
            definition={"group_by": [{"field": "stage"}], "measures": [{"fn": "sum", "field": "amount"}]},
        )  # fmt: skip
        subscription = create_subscription(
            report=report, by=admin, recipients=[admin], frequency="daily", hour=8, file_format="pdf"
        )
        dashboard = create_dashboard(by=admin, name="Sales", sharing="everyone")
        widget = add_widget(dashboard, by=admin, report=report)
        selection = SelectionRun.objects.create(
            rule=rule,
            version=rule.version,
            entity=rule.entity,
            label="Pages",
            record_ids=[1],
            total=1,
            requested_by=admin,
        )
        warehouse_export = WarehouseExport.objects.create(created_by=admin)
        # Before the case, so that the case page shows its SLA panel.
        sla_calendar = save_calendar(
            None, name="Office", time_zone="Europe/Bucharest", country="RO", is_default=True,
            intervals=[(day, 540, 1020) for day in range(5)],
        )  # fmt: skip
        sla_holiday = add_holiday(sla_calendar, day=timezone.localdate(), name="Company day")
        sla_policy = save_policy(None, name="Standard", targets={"normal": (60, 480)})
        case = create_case(by=admin, subject="Pages", contact=contact)
        support_address = create_address(by=None, email="help@pages-support.example")
        mailbox = connect_mailbox(
            owner=admin, email="pages@mailbox.example", imap_host="imap.mailbox.example", imap_user="pages",
            imap_password="app-password",
        )  # fmt: skip
        _id, raw_mail = mail_message_bytes(sender="pages.sender@people.example", attachment=b"%PDF-1.4")
        [(mail_message, _new)] = store_messages(
            mailbox, [(raw_mail, None)], folder=None,
            direction="in", matcher=Matcher(own_addresses=[mailbox.email]), files=WrittenFiles(),
        )  # fmt: skip
        assert mail_message is not None
        case_message = add_message(
            case, by=admin, author_kind="agent", body_text="A file",
            attachments=[CaseAttachment(
                storage_key=attachment_storage().save(new_storage_key("b.txt"), ContentFile(b"words")),
                name="b.txt", content_type="text/plain", size=5,
            )],
        )  # fmt: skip
        SavedView.objects.create(owner=admin, entity="case", name="Mine", query={})
        knowledge_category = create_category(by=admin, name="Pages category")
        article = create_article(
            by=admin, draft_title="Paying invoices", draft_body="<div>By card.</div>", language="en",
            visibility="public", category=knowledge_category,
        )  # fmt: skip
        article_version = publish_article(article, by=admin)
        marketing_email = _sent_marketing_email()
        collateral = create_item(title="Pages deck", upload=SimpleUploadedFile("deck.txt", b"words"), by=admin)
        pages_segment = create_segment(by=admin, name="Pages list", kind="static")
        add_to_list(pages_segment, [contact], by=admin)
        SavedView.objects.create(owner=admin, entity="campaign", name="Mine", query={})
        campaign = Campaign.objects.filter(members__isnull=False).order_by("pk").first()
        assert campaign is not None, "the demo has campaigns with members"
        # The public form's address takes the key every walk gives a ``key`` parameter.
        web_form = create_form(by=admin, name="Pages form", key=FIXED_PARAMETERS["key"], captcha=True)
        form_submission = submit(web_form, {"last_name": "Pages", "email": "pages@example.test"}, visit=Visit())
        return {
            "campaign": str(campaign.pk),
            "campaign_member": _first(CampaignMember, campaign=campaign),
            "campaign_view": _first(SavedView, entity="campaign"),
            "marketing_email": str(marketing_email.pk),
            "scoring_rule": str(
                save_rule(
                    None, {"name": "Pages", "kind": "behaviour", "points": 5, "event_type": "form.submitted"}, by=admin
                ).pk
            ),
            "score_threshold": str(create_threshold(name="Pages MQL", points=50, by=admin).pk),
            "collateral_item": str(collateral.pk),
            "collateral_version": str(collateral.current_version_id),
            "web_form": str(web_form.pk),
            "form_submission": str(form_submission.pk),
            "case": str(case.pk),
            "support_address": str(support_address.pk),
            "mailbox": str(mailbox.pk),
            "mail_thread": str(mail_message.thread_id),
            "mail_attachment": str(mail_message.attachments.get().pk),
            "case_attachment": str(case_message.attachments.get().pk),
            "case_message": str(case_message.pk),
            "case_view": _first(SavedView, entity="case"),
            "article": str(article.pk),
            "article_version": str(article_version.pk),
            "knowledge_category": str(knowledge_category.pk),
            "segment": str(pages_segment.pk),
            "case_status": _first(CaseStatus),
            "case_category": _first(CaseCategory),
            "assignment_rule": str(create_rule(name="Pages", method="round_robin").pk),
            "shared_canned_response": str(create_canned_response(by=admin, shared=True, title="S", body="x").pk),
            "own_canned_response": str(create_canned_response(by=admin, shared=False, title="O", body="x").pk),
            "sla_calendar": str(sla_calendar.pk),
            "sla_holiday": str(sla_holiday.pk),
            "sla_policy": str(sla_policy.pk),
            "selection": str(selection.pk),
            "report": str(report.pk),
            "warehouse_export": str(warehouse_export.pk),
            "report_subscription": str(subscription.pk),
            "dashboard": str(dashboard.pk),
            "dashboard_widget": str(widget.pk),
            "note": str(note.pk),
            "attachment": str(attachment.pk),
            "absent": "999999",
            "email_template": str(template.pk),
            "rule": str(rule.pk),
            "run": str(run.pk),
            "custom_field": _first(CustomFieldDefinition),
            "pipeline": str(pipeline.pk),
            "stage": _first(Stage, pipeline=pipeline),
            "api_key": _first(ApiKey),
            "endpoint": str(endpoint.pk),
            "secret": _first(EndpointSecret, endpoint=endpoint),
            "delivery": str(delivery.pk),
            "user": str(admin.pk),
            "invitation": _first(Invitation),
            "role": _first(Role),
            "team": _first(Team),
            "import_job": str(import_job.pk),
            "export_job": _first(ExportJob),
            "exchange_rate": _first(ExchangeRate),
            "company": _first(Company),
            "contact": _first(Contact),
            "contact_view": _first(SavedView, entity="contact"),
            "deal_view": _first(SavedView, entity="deal"),
            "notification": _first(Notification),
            "activity": _first(Activity),
            "lead": _first(Lead),
            "deal": _first(Deal),
            "product": _first(Product),
            "price_list": str(price_list.pk),
            "price_list_item": str(item.pk),
            "quote": str(quote.pk),
            "quote_line": _first(QuoteLine, quote=quote),
            "order": _first(Order),
            "order_line": _first(OrderLine),
            "quote_share": str(share.pk),
            "tag": _first(Tag),
            "lost_reason": _first(LostReason),
            "feed_token": feed.token,
            "call": str(call.pk),
            **_consent_tokens(),
            **survey_objects(admin, contact),
            **_marketing_email_objects(admin),
        }


def _marketing_email_objects(admin: User) -> dict[str, str]:
    """A marketing e-mail with every kind of block, a template and a sending domain."""
    email = create_email(by=admin, name="Pages e-mail", subject="Hi {{ contact.first_name }}", content=PAGE_BLOCKS)
    return {
        "marketing_email_draft": str(email.pk),
        "marketing_template": str(save_as_template(email, name="Pages template", by=admin).pk),
        "sending_domain": str(SendingDomain.objects.create(domain="pages.example").pk),
    }


def _consent_tokens() -> dict[str, str]:
    """Working consent links: the preference page and a double opt-in's confirmation."""
    consent, request, topic = consent_records()
    suppression = Suppression.objects.create(email="pages-suppressed@example.test", reason="manual")
    return {
        "unsubscribe_token": consent.public_token,  # type: ignore[attr-defined]
        "opt_in_token": request.public_token,  # type: ignore[attr-defined]
        "topic": str(topic.pk),
        "consent": str(consent.pk),
        "suppression": str(suppression.pk),
    }


@dataclass
class Walk:
    """What a walk of every page of a URL conf found."""

    routes: list[tuple[str, str]]
    pages: list[str] = field(default_factory=list)  # the names of those that rendered HTML
    alpine: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _walk(client: Client, urlconf: str, objects: dict[str, str], *, signs_out: Callable[[str], bool]) -> Walk:
    """GET every route of ``urlconf`` and list what is wrong with each answer: a missing or other
    policy, a server error, inline code in its HTML. Sign-out routes go last: they end the session."""
    client.raise_request_exception = False  # a server error is one more problem to list
    walk = Walk(routes=sorted((found.name, found.route) for found in url_routes(urlconf)))
    for name, route in sorted(walk.routes, key=lambda named: signs_out(named[0])):
        path = _path(route, _parameters(name, route, objects))
        response = client.get(path)
        if response.status_code >= 500:
            walk.problems.append(f"{name} {path}: {response.status_code}")
        if directives(response.get("Content-Security-Policy")) != POLICY_OF_VIEW.get(name, POLICY):
            walk.problems.append(f"{name} {path}: policy {response.get('Content-Security-Policy')!r}")
        if response.get("Content-Type", "").startswith("text/html"):
            markup = page_markup(b"".join(response) if response.streaming else response.content)
            if response.status_code == 200:
                walk.pages.append(name)
                walk.alpine += markup.alpine_expressions
            walk.problems += [f"{name} {path}: inline script {script[:80]!r}" for script in markup.inline_scripts]
            walk.problems += [
                f"{name} {path}: {tag} {attribute}={value[:60]!r}" for tag, attribute, value in markup.handlers
            ]
    return walk


def test_every_tenant_page_is_sent_the_policy_and_has_no_inline_code(alpha: TenantFixture, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path  # the walk's uploads and attachments
    objects = _tenant_objects(alpha)

    walk = _walk(alpha.client(), "crm_platform.urls_tenant", objects, signs_out=lambda name: name == "identity:logout")

    assert len(walk.routes) > 200
    assert len(walk.pages) >= 100
    assert walk.problems == []
    assert len(walk.alpine) > 100
    assert refused_by_alpine_csp_build(walk.alpine) == []


def test_every_public_page_is_sent_the_policy_and_has_no_inline_code(alpha: TenantFixture):
    with schema_context("public"):
        operator = ensure_operator("pages-operator@relata.test", "a-long-operator-password-1")
        event = StripeEvent.objects.create(
            event_id="evt_pages", type="invoice.paid", created=timezone.now() - timedelta(minutes=5), payload={}
        )
        objects = {"absent": "999999", "stripe_event": str(event.pk), "plan": _first(Plan)}

    walk = _walk(
        verified_operator_client(operator),
        "crm_platform.urls_public",
        objects,
        signs_out=lambda name: name.endswith("logout"),
    )

    assert len(walk.routes) > 25
    assert len(walk.pages) >= 16
    assert walk.problems == []


def test_an_unknown_host_is_sent_the_policy_too(db: None):
    response = Client(HTTP_HOST="nobody.localhost").get("/")

    assert response.status_code == 404
    assert directives(response["Content-Security-Policy"]) == POLICY


def test_graphiql_runs_under_its_own_policy_with_its_settings_as_data(alpha: TenantFixture):
    response = alpha.client().get("/graphql/", HTTP_ACCEPT="text/html")

    markup = page_markup(response.content)
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == GRAPHIQL_POLICY
    assert markup.inline_scripts == []
    assert markup.json_value("graphiql-header-editor-enabled") == "true"


def test_swagger_ui_loads_its_start_up_script_from_this_host(alpha: TenantFixture):
    client = alpha.client()

    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/", {"script": ""})

    assert page.status_code == 200
    assert directives(page["Content-Security-Policy"]) == POLICY
    assert page_markup(page.content).inline_scripts == []
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_redoc_runs_under_its_own_policy_without_third_party_fonts(alpha: TenantFixture):
    response = alpha.client().get("/api/v1/redoc/")

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == REDOC_POLICY
    assert page_markup(response.content).inline_scripts == []
    assert b"fonts.googleapis.com" not in response.content
