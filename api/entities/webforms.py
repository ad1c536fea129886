"""Web forms and their submissions (the marketing module's ``webforms`` app). A form is the
workspace's (every marketer sees every form; its ``owner`` is the owner of the records it creates);
it is written through the same services as the builder page. Submissions come from visitors: the
APIs list and read them only. A submission's lead or contact follows the link rule."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
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
from modules.marketing.webforms.choices import Creates, SubmissionStatus
from modules.marketing.webforms.models import Submission, WebForm
from modules.marketing.webforms.models.submission import UTM_KEYS
from modules.marketing.webforms.services.forms import create_form, delete_form, update_form

WEB_FORM = EntityDescription(
    name="web_form",
    resource="web_forms",
    rest_resource="web-forms",
    model=WebForm,
    module="marketing",
    owner_field="",
    graphql_type="WebForm",
    fields=(
        ID,
        writable("name"),
        writable("key", "The public address /f/<key>/ and the form.submitted event's form; fixed once submitted."),
        writable("creates", "lead or contact: the record a submission becomes."),
        writable("language", "The language of the form's texts (a language code)."),
        writable(
            "fields",
            "The inputs in order: field (email, a lead's or contact's field, custom.<key>), type, required, "
            "label and help ({language: text}). E-mail and a name are required.",
        ),
        writable(
            "consents",
            "Subscription checkboxes (forms creating contacts): topic (a Topic id), label ({language: text}), "
            "double_opt_in.",
        ),
        writable("on_duplicate", "When the e-mail address is known: update, create or skip."),
        writable("submit_label"),
        writable("thank_you_message"),
        writable("redirect_url", "An https:// page the visitor goes to after submitting, or empty."),
        writable("allowed_origins", "Origins (https://www.example.com) whose pages may embed the form."),
        relation("campaign", "The campaign the submissions count for."),
        relation("owner", "The owner of the leads or contacts the form creates."),
        writable("captcha", "Ask for a proof-of-work captcha."),
        writable("is_active", "An inactive form accepts no submissions."),
        Field("views", description="Times the form was shown."),
        *TIMESTAMPS,
    ),
    filters=(
        Filter("is_active", FilterKind.BOOLEAN, field="is_active", description="Live forms (true) or not (false)."),
        choice("creates", Creates),
        by_id("campaign", "Campaign", "Forms of this campaign (a Campaign id)."),
        UPDATED_AFTER,
    ),
    orderings=orderings("name", "views", "created_at", "updated_at"),
    create=create_form,
    update=update_form,
    delete=delete_form,
)

FORM_SUBMISSION = EntityDescription(
    name="form_submission",
    resource="form_submissions",
    rest_resource="form-submissions",
    model=Submission,
    module="marketing",
    owner_field="",
    graphql_type="FormSubmission",
    fields=(
        ID,
        Field("form", description="The web form.", select=("form",)),
        Field("status", description="accepted, spam (kept without a record) or duplicate."),
        Field("data", description="The values by field (email, custom.<key>)."),
        Field("consents", description="The ids of the topics ticked."),
        Field("lead", description="The lead it created or updated (null when not one you can see).", select=("lead",)),
        Field(
            "contact",
            description="The contact it created or updated (null when not one you can see).",
            select=("contact",),
        ),
        Field("ip_address"),
        Field("user_agent"),
        Field("referrer"),
        Field("page_url"),
        *(Field(key) for key in UTM_KEYS),
        Field("created_at", description="When it was submitted."),
    ),
    filters=(
        by_id("form", "WebForm", "Submissions of this form (a WebForm id)."),
        choice("status", SubmissionStatus),
        Filter(
            "submitted_after",
            FilterKind.DATETIME,
            field="created_at",
            lookup="gte",
            description="Submitted at or after this time (ISO 8601).",
        ),
    ),
    orderings=orderings("created_at"),
)
