"""Load sample data into a workspace, and remove it again (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from identity.client_address import client_address
from identity.decorators import permission_required, signed_in_user
from modules.contacts.demo.sample import load_sample_data, remove_sample_data


@permission_required("settings.manage_tenant")
@require_POST
def sample_data_load(request: HttpRequest) -> HttpResponse:
    try:
        load_sample_data(by=signed_in_user(request), ip_address=client_address(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("shell:home")
    messages.success(request, _("Sample data is loaded. Remove it from the home page when you are done trying."))
    return redirect("shell:home")


@permission_required("settings.manage_tenant")
@require_POST
def sample_data_remove(request: HttpRequest) -> HttpResponse:
    try:
        summary = remove_sample_data(by=signed_in_user(request), ip_address=client_address(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("shell:home")
    # Timeline entries stay with their records; the message counts records.
    kept = sum(count for label, count in summary.kept.items() if label != "contacts.TimelineEntry")
    if kept:
        messages.success(
            request,
            ngettext(
                "Sample data is removed. %(count)d sample record that was changed or is in use stays.",
                "Sample data is removed. %(count)d sample records that were changed or are in use stay.",
                kept,
            )
            % {"count": kept},
        )
    else:
        messages.success(request, _("Sample data is removed."))
    return redirect("shell:home")
