"""Settings → Marketing e-mail (``marketing.admin``): how the tenant's marketing e-mail is sent
(the platform's mail, an SMTP server, an e-mail service), a test send through it, and the sending
domains with the records to publish and their DNS check."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.marketing.email.forms import SendingDomainForm, SendingSettingsForm, TestSendForm
from modules.marketing.email.models import SendingDomain
from modules.marketing.email.sending import outgoing_connection, platform_sender
from modules.marketing.email.services.domains import add_domain, check_domain, delete_domain, expected_records
from modules.marketing.email.services.proofs import parse_addresses
from modules.marketing.email.services.settings import current_settings, update_settings
from modules.marketing.guard import marketing_page

ADMIN = "marketing.admin"


@marketing_page(ADMIN)
def sending_settings(request: HttpRequest) -> HttpResponse:
    row = current_settings()
    form = SendingSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        try:
            update_settings(by=signed_in_user(request), **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)  # type: ignore[arg-type]  # a ModelForm takes errors alike
        else:
            messages.success(request, _("The sending settings are saved."))
            return redirect("marketing-email-admin:settings")
    context = {"form": form, "settings_row": row, "test_form": TestSendForm()}
    return render(request, "marketing_email/admin/settings.html", context, status=form_status(form))


@marketing_page(ADMIN)
@require_POST
def sending_test(request: HttpRequest) -> HttpResponse:
    """A plain message through the configured connection: proves the settings work."""
    form = TestSendForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"addresses": [_("Enter valid e-mail addresses.")]})
        recipients = parse_addresses(form.cleaned_data["addresses"])
        row = current_settings()
        sender = row.default_from_address or platform_sender()
        message = EmailMessage(
            subject=_("[Test] Marketing e-mail settings"),
            body=_("This message was sent through your marketing e-mail settings."), from_email=sender, to=recipients,
        )  # fmt: skip
        with outgoing_connection() as connection:
            connection.send_messages([message])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("marketing-email-admin:settings")
    except Exception as error:  # any transport failure (SMTP, a service's API) is the answer the admin needs
        messages.error(request, _("The test could not be sent: %(error)s") % {"error": str(error)[:300]})
        return redirect("marketing-email-admin:settings")
    messages.success(request, _("A test was sent."))
    return redirect("marketing-email-admin:settings")


@marketing_page(ADMIN)
def domain_list(request: HttpRequest) -> HttpResponse:
    form = SendingDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain = add_domain(by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, _("%(domain)s is added: publish its records, then check.") % {"domain": domain})
            return redirect("marketing-email-admin:domain", domain.pk)
    domains = list(SendingDomain.objects.all())
    context = {"form": form, "domains": domains}
    return render(request, "marketing_email/admin/domains.html", context, status=form_status(form))


@marketing_page(ADMIN)
def domain_detail(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_object_or_404(SendingDomain, pk=pk)
    states = {"spf": domain.spf_state, "dkim": domain.dkim_state, "dmarc": domain.dmarc_state}
    records = [(record, states[record.key], domain.found.get(record.key, [])) for record in expected_records(domain)]
    return render(request, "marketing_email/admin/domain.html", {"domain": domain, "records": records})


@marketing_page(ADMIN)
@require_POST
def domain_check(request: HttpRequest, pk: int) -> HttpResponse:
    domain = check_domain(get_object_or_404(SendingDomain, pk=pk))
    if domain.is_verified:
        messages.success(request, _("%(domain)s is verified.") % {"domain": domain})
    else:
        messages.error(request, _("Some records of %(domain)s are missing or different.") % {"domain": domain})
    return redirect("marketing-email-admin:domain", domain.pk)


@marketing_page(ADMIN)
@require_POST
def domain_delete(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_object_or_404(SendingDomain, pk=pk)
    delete_domain(domain, by=signed_in_user(request))
    messages.success(request, _("%(domain)s is removed.") % {"domain": domain})
    return redirect("marketing-email-admin:domains")
