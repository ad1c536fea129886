"""Marketing → E-mails: the list, the editor (settings and blocks, drafts only; a scheduled or sent
e-mail shows read-only), the preview (a document of its own for the sandboxed iframe, under a
policy that allows the e-mail's inline styles and nothing else), test sends and templates."""

from __future__ import annotations

import json
from typing import Any

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.contacts.models import Contact
from modules.lists import views as lists
from modules.marketing.choices import EmailStatus
from modules.marketing.email.blocks import MAX_TEXT, TYPES, clean_blocks
from modules.marketing.email.forms import EmailSettingsForm, TestSendForm
from modules.marketing.email.lists import EMAILS
from modules.marketing.email.models import EmailTemplate
from modules.marketing.email.rendering import render_email
from modules.marketing.email.services.emails import (
    create_email,
    create_from_template,
    delete_email,
    save_as_template,
    update_email,
)
from modules.marketing.email.services.proofs import TEST_LINKS, TooManyTests, send_test
from modules.marketing.guard import marketing_page
from modules.marketing.models import MarketingEmail

# The preview document: the e-mail's own inline styles and https images, no script, no form, and
# only this site may frame it (the iframe is sandboxed as well).
PREVIEW_POLICY = {
    "default-src": [NONE],
    "style-src": [UNSAFE_INLINE],
    "img-src": ["https:", "data:"],
    "font-src": ["https:", "data:"],
    "frame-ancestors": [SELF],
    "base-uri": [NONE],
    "form-action": [NONE],
    "script-src": [NONE],
    "connect-src": [NONE],
}


@marketing_page("marketing.view")
@require_GET
def email_list(request: HttpRequest) -> HttpResponse:
    templates = list(EmailTemplate.objects.order_by("name"))
    return lists.list_page(request, EMAILS, extra_context={"templates": templates})


@marketing_page("marketing.view", "marketing.change")
@require_POST
def email_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, EMAILS)


@marketing_page("marketing.view")
@require_POST
def email_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, EMAILS)


@marketing_page("marketing.view")
@require_POST
def email_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, EMAILS)


def _content_errors(error: ValidationError) -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        return {}
    return {key: value for key, value in error.message_dict.items() if key.startswith("content")}


def _editor(request: HttpRequest, email: MarketingEmail | None, initial: dict[str, Any] | None = None) -> HttpResponse:
    form = EmailSettingsForm(request.POST or None, instance=email, initial=initial)
    content_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        by = signed_in_user(request)
        try:
            if email is None:
                email = create_email(by=by, **form.service_values())
            else:
                email = update_email(email, by=by, **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)  # type: ignore[arg-type]  # a ModelForm takes errors alike
            content_errors = _content_errors(error)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": email.name})
            return redirect("marketing-email:edit", email.pk)
    content = (
        form["content"].value()
        if request.method == "POST"
        else json.dumps((email.content if email else (initial or {}).get("content_blocks")) or [])
    )
    context = {
        "email": email, "form": form, "content_json": content, "content_errors": content_errors,
        "block_types": TYPES, "test_form": TestSendForm(), "read_only": False, "max_text": MAX_TEXT,
        "templates": list(EmailTemplate.objects.order_by("name")) if email is None else [],
    }  # fmt: skip
    status = 400 if content_errors else form_status(form)
    return render(request, "marketing_email/editor.html", context, status=status)


@marketing_page("marketing.view", "marketing.change")
def email_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@marketing_page("marketing.view", "marketing.change")
@require_POST
def email_from_template(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(EmailTemplate, pk=pk)
    email = create_from_template(template, by=signed_in_user(request), name=template.name, subject=template.name)
    messages.success(request, _("A new e-mail starts from “%(name)s”.") % {"name": template.name})
    return redirect("marketing-email:edit", email.pk)


@marketing_page("marketing.view")
def email_edit(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(MarketingEmail, pk=pk)
    user = signed_in_user(request)
    if email.status != EmailStatus.DRAFT or not user.has_perm("marketing.change"):
        if request.method == "POST":
            return HttpResponse(
                _("Only a draft can be changed."), status=409 if email.status != EmailStatus.DRAFT else 403
            )
        context = {"email": email, "read_only": True, "test_form": TestSendForm()}
        return render(request, "marketing_email/read_only.html", context)
    return _editor(request, email)


@marketing_page("marketing.view", "marketing.delete")
@require_POST
def email_delete(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(MarketingEmail, pk=pk)
    try:
        delete_email(email, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("marketing-email:edit", email.pk)
    messages.success(request, _("“%(name)s” is deleted.") % {"name": email.name})
    return redirect("marketing-email:list")


@marketing_page("marketing.view", "marketing.change")
@require_POST
def email_save_template(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(MarketingEmail, pk=pk)
    name = str(request.POST.get("name", ""))[:300]
    try:
        template = save_as_template(email, name=name, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved as the template “%(name)s”.") % {"name": template.name})
    return redirect("marketing-email:edit", email.pk)


def _contact(raw: object) -> Contact | None:
    """The contact named in the preview's "as" field (an e-mail address), if there is one."""
    address = str(raw or "").strip()
    if not address or len(address) > 254 or "\x00" in address:
        return None
    return Contact.objects.select_related("company").filter(email__iexact=address).order_by("id").first()


def _preview_response(request: HttpRequest, email: MarketingEmail, contact: Contact | None) -> HttpResponse:
    rendered = render_email(email, contact, links=TEST_LINKS)
    response = HttpResponse(rendered.html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@marketing_page("marketing.view")
@xframe_options_sameorigin
@csp_replace(PREVIEW_POLICY)
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The editor's live preview: the posted (unsaved) blocks rendered as the chosen contact."""
    try:
        blocks = clean_blocks(json.loads(str(request.POST.get("content") or "[]")[:400_000]))
    except ValidationError as error:
        text = "\n".join(f"{path}: {' '.join(texts)}" for path, texts in error.message_dict.items())
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    except ValueError:
        text = "content: " + _("The content could not be read.")
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    preheader = str(request.POST.get("preheader") or "")[:200]
    email = MarketingEmail(content=blocks, preheader=preheader)
    return _preview_response(request, email, _contact(request.POST.get("contact")))


@marketing_page("marketing.view")
@xframe_options_sameorigin
@csp_replace(PREVIEW_POLICY)  # type: ignore[arg-type]  # the decorator's stub knows only views without arguments
def saved_preview(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(MarketingEmail, pk=pk)
    return _preview_response(request, email, _contact(request.GET.get("contact")))


@marketing_page("marketing.view", "marketing.change")
@require_POST
def email_test(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(MarketingEmail, pk=pk)
    try:
        sent = send_test(
            email, str(request.POST.get("addresses", ""))[:1300], by=signed_in_user(request),
            contact=_contact(request.POST.get("contact")),
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("marketing-email:edit", email.pk)
    except TooManyTests:
        text = _("Too many tests were sent in the last hour. Try again later.")
        return HttpResponse(text, status=429, content_type="text/plain; charset=utf-8")
    except OSError as error:
        messages.error(request, _("The test could not be sent: %(error)s") % {"error": str(error)[:300]})
        return redirect("marketing-email:edit", email.pk)
    text = ngettext("The test was sent to %(count)d address.", "The test was sent to %(count)d addresses.", sent)
    messages.success(request, text % {"count": sent})
    return redirect("marketing-email:edit", email.pk)
