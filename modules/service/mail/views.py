"""Settings → Support addresses (``service.admin``): list, add, change, delete, a new webhook URL,
and "check now" (queues the mailbox's poll)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.service.mail.choices import InboundOutcome
from modules.service.mail.forms import SupportAddressForm
from modules.service.mail.inbound_providers import PROVIDER_NAMES
from modules.service.mail.models import SupportAddress
from modules.service.mail.services.addresses import (
    basic_auth_credential,
    create_address,
    delete_address,
    inbound_token,
    rotate_token,
    update_address,
)

PERMISSION = "service.admin"
RECENT_MAIL = 20


@permission_required(PERMISSION)
def address_list(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(days=1)
    addresses = SupportAddress.objects.select_related("team").annotate(
        received=Count("inbound", filter=Q(inbound__received_at__gte=since)),
        ignored=Count("inbound", filter=Q(inbound__received_at__gte=since, inbound__outcome=InboundOutcome.IGNORED)),
    )
    return render(request, "service_mail/list.html", {"addresses": list(addresses)})


def _form(request: HttpRequest, address: SupportAddress | None) -> HttpResponse:
    form = SupportAddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        by = signed_in_user(request)
        try:
            if address is None:
                address = create_address(by=by, **form.service_values())
            else:
                address = update_address(SupportAddress.objects.get(pk=address.pk), by=by, **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)  # type: ignore[arg-type]  # a ModelForm takes errors alike
        else:
            messages.success(request, _("Support address %(email)s is saved.") % {"email": address.email})
            return redirect("service-mail-admin:detail", address.pk)
    return render(request, "service_mail/form.html", {"address": address, "form": form}, status=form_status(form))


@permission_required(PERMISSION)
def address_create(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@permission_required(PERMISSION)
def address_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form(request, get_object_or_404(SupportAddress, pk=pk))


@permission_required(PERMISSION)
def address_detail(request: HttpRequest, pk: int) -> HttpResponse:
    address = get_object_or_404(SupportAddress.objects.select_related("team"), pk=pk)
    recent = list(address.inbound.select_related("case").order_by("-id")[:RECENT_MAIL])
    context = {"address": address, "recent": recent}
    response = render(request, "service_mail/detail.html", context)
    return response


@permission_required(PERMISSION)
def address_webhook_url(request: HttpRequest, pk: int) -> HttpResponse:
    """The inbound webhook URL in clear, for the reveal button (htmx)."""
    address = get_object_or_404(SupportAddress, pk=pk)
    token = inbound_token(address)
    url = request.build_absolute_uri(reverse("service-mail-inbound:raw", args=[token]))
    credential = basic_auth_credential(token)
    providers = []
    for slug, name, basic in PROVIDER_NAMES:
        provider_url = request.build_absolute_uri(reverse(f"service-mail-inbound:{slug}", args=[token]))
        if basic:  # the credential inside the URL, as the providers' settings take it
            scheme, rest = provider_url.split("://", 1)
            provider_url = f"{scheme}://{credential}@{rest}"
        providers.append({"slug": slug, "name": name, "url": provider_url, "basic": basic})
    context = {"url": url, "providers": providers}
    response = render(request, "service_mail/_webhook_url.html", context)
    response["Cache-Control"] = "no-store"
    return response


@permission_required(PERMISSION)
@require_POST
def address_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    address = get_object_or_404(SupportAddress, pk=pk)
    rotate_token(address, by=signed_in_user(request))
    messages.success(request, _("The inbound webhook has a new URL; the old one no longer works."))
    return redirect("service-mail-admin:detail", address.pk)


@permission_required(PERMISSION)
@require_POST
def address_poll(request: HttpRequest, pk: int) -> HttpResponse:
    address = get_object_or_404(SupportAddress, pk=pk)
    if not address.polls_imap:
        messages.error(request, _("This address has no mailbox to check."))
    else:
        from modules.service.mail.tasks import poll_support_address

        poll_support_address.apply_async((address.pk,), retry=False)
        messages.success(request, _("The mailbox will be checked in a moment."))
    return redirect("service-mail-admin:detail", address.pk)


@permission_required(PERMISSION)
@require_POST
def address_delete(request: HttpRequest, pk: int) -> HttpResponse:
    address = get_object_or_404(SupportAddress, pk=pk)
    delete_address(address, by=signed_in_user(request))
    messages.success(request, _("Support address %(email)s is removed.") % {"email": address.email})
    return redirect("service-mail-admin:list")
