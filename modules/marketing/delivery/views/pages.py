"""The send page of a marketing e-mail (``marketing-delivery:email``): "Send now" and "Schedule"
(``marketing.send``), "Cancel", the progress, and the report — figures, the A/B test, clicks per
link and the recipients page by page. Times show in the workspace's time zone, the one schedules
are read in."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.lists import views as lists
from modules.marketing.delivery.forms import DeliverySettingsForm, ScheduleForm
from modules.marketing.delivery.lists import for_email
from modules.marketing.delivery.models import DeliverySettings, Send
from modules.marketing.delivery.selectors.report import figures, link_clicks
from modules.marketing.delivery.services.sends import (
    cancel_send,
    schedule_send,
    send_unconfirmed_again,
    start_send,
    workspace_zone,
)
from modules.marketing.delivery.services.settings import update_delivery_settings
from modules.marketing.delivery.webhooks import provider_webhooks
from modules.marketing.guard import marketing_page
from modules.marketing.models import MarketingEmail


def _page(
    request: HttpRequest, email: MarketingEmail, form: ScheduleForm | None = None, status: int = 200
) -> HttpResponse:
    send = Send.objects.filter(email=email).first()
    recipients = lists.list_context(request, for_email(email)) if send else {}
    if isinstance(recipients, HttpResponse):  # a saved view picked, a bad parameter
        return recipients
    recipients.pop("_status", None)
    context = {
        **recipients,
        "email": email,
        "send": send,
        "figures": figures(email.pk) if send else None,
        "links": link_clicks(email.pk) if send else [],
        "form": form or ScheduleForm(),
        "zone": workspace_zone(),
        "may_send": request.user.has_perm("marketing.send"),
        "may_change": request.user.has_perm("marketing.change"),
    }
    return render(request, "marketing_delivery/email.html", context, status=status)


@marketing_page("marketing.view", local_time=False)
def email_page(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(MarketingEmail.objects.select_related("segment", "topic"), pk=pk)
    with timezone.override(workspace_zone()):
        return _page(request, email)


@require_POST
@marketing_page("marketing.view")
def recipient_view_save(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.save_saved_view(request, for_email(get_object_or_404(MarketingEmail, pk=pk)))


@require_POST
@marketing_page("marketing.view")
def recipient_view_delete(request: HttpRequest, pk: int, view_pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, view_pk, for_email(get_object_or_404(MarketingEmail, pk=pk)))


@require_POST
@marketing_page("marketing.view", "marketing.send", local_time=False)
def send_now(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(MarketingEmail, pk=pk)
    try:
        start_send(email, by=signed_in_user(request))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        with timezone.override(workspace_zone()):
            return _page(request, email, status=400)
    messages.success(request, _("The e-mail is being sent."))
    return redirect("marketing-delivery:email", email.pk)


@require_POST
@marketing_page("marketing.view", "marketing.send", local_time=False)
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(MarketingEmail, pk=pk)
    with timezone.override(workspace_zone()):
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                schedule_send(email, at=form.cleaned_data["scheduled_at"], by=signed_in_user(request))
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The e-mail is scheduled."))
                return redirect("marketing-delivery:email", email.pk)
        return _page(request, email, form=form, status=form_status(form))


@require_POST
@marketing_page("marketing.view", "marketing.send", local_time=False)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(MarketingEmail, pk=pk)
    try:
        cancel_send(email, by=signed_in_user(request))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        with timezone.override(workspace_zone()):
            return _page(request, email, status=400)
    messages.success(request, _("The send is cancelled."))
    return redirect("marketing-delivery:email", email.pk)


@require_POST
@marketing_page("marketing.view", "marketing.change", local_time=False)
def send_unconfirmed(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the unconfirmed messages again, as the marketer decides (see ``send_unconfirmed_again``)."""
    email = get_object_or_404(MarketingEmail, pk=pk)
    try:
        queued = send_unconfirmed_again(email, by=signed_in_user(request))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        with timezone.override(workspace_zone()):
            return _page(request, email, status=400)
    messages.success(
        request,
        ngettext("%(count)s message is being sent again.", "%(count)s messages are being sent again.", queued)
        % {"count": queued},
    )
    return redirect("marketing-delivery:email", email.pk)


@marketing_page("marketing.admin")
def delivery_settings(request: HttpRequest) -> HttpResponse:
    current = DeliverySettings.objects.first() or DeliverySettings()
    form = DeliverySettingsForm(
        request.POST or None, instance=current, initial={"sendgrid_verification_key": current.sendgrid_verification_key}
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_delivery_settings(
                by=signed_in_user(request),
                messages_per_minute=form.cleaned_data["messages_per_minute"],
                max_concurrency=form.cleaned_data["max_concurrency"],
                webhook_user=form.cleaned_data["webhook_user"],
                webhook_password=form.cleaned_data["webhook_password"],
                mailgun_signing_key=form.cleaned_data["mailgun_signing_key"],
                sendgrid_verification_key=form.cleaned_data["sendgrid_verification_key"],
                remove_webhook_password=form.cleaned_data["remove_webhook_password"],
                remove_mailgun_signing_key=form.cleaned_data["remove_mailgun_signing_key"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)  # type: ignore[arg-type]  # a ModelForm takes errors alike
        else:
            messages.success(request, _("Delivery settings saved."))
            return redirect("marketing-delivery:settings")
    context = {"form": form, "settings_row": current, "webhooks": provider_webhooks(request, current)}
    return render(request, "marketing_delivery/settings.html", context, status=form_status(form))
