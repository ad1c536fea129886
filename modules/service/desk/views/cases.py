"""What agents do on a case besides writing: say they are replying (presence), merge it into
another case, split messages off into a new one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.service.desk.forms import MergeForm, SplitForm
from modules.service.desk.services import merge, presence
from modules.service.desk.views import case_url, desk_page, visible_case
from modules.service.selectors.cases import visible_cases

REPLY = "service.change"


@desk_page(REPLY)
@require_http_methods(["GET", "POST"])
def replying(request: HttpRequest, case_pk: int) -> HttpResponse:
    """GET: who else is replying. POST ``typing=1`` (a heartbeat) or ``typing=0`` (stopped)."""
    user = signed_in_user(request)
    case = visible_case(request, case_pk)
    if request.method == "POST":
        typing = request.POST.get("typing", "1")
        if typing not in ("0", "1"):
            return JsonResponse({"errors": {"typing": [_("Send 1 or 0.")]}}, status=400)
        if typing == "1":
            presence.mark_replying(case, user)
        else:
            presence.stop_replying(case, user)
    return JsonResponse({"replying": presence.replying(case, besides=user)})


@desk_page(REPLY)
def merge_case(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Merge this case into another (chosen by its number)."""
    user = signed_in_user(request)
    case = visible_case(request, case_pk)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["target"].strip().upper()
        target = visible_cases(user).filter(number=number).first()
        if target is None:
            form.add_error("target", _("No case you can see has this number."))
        else:
            try:
                merged = merge.merge_cases(case, into=target, by=user)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(source)s is merged into %(target)s.") % {"source": case.number, "target": merged.number},
                )
                return redirect(case_url(merged))
    return render(request, "service_desk/cases/merge.html", {"case": case, "form": form}, status=form_status(form))


@desk_page(REPLY)
def split_case(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Move chosen messages of this case to a new case of the same customer."""
    user = signed_in_user(request)
    case = visible_case(request, case_pk)
    case_messages = list(case.messages.select_related("author", "contact").order_by("created_at", "id"))
    choices = [(message.pk, str(message)) for message in case_messages]
    form = SplitForm(request.POST or None, message_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            new = merge.split_case(
                case, message_ids=form.cleaned_data["messages"], subject=form.cleaned_data["subject"], by=user
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            count = len(form.cleaned_data["messages"])
            text = ngettext(
                "%(count)d message moved to the new case %(number)s.",
                "%(count)d messages moved to the new case %(number)s.",
                count,
            )
            messages.success(request, text % {"count": count, "number": new.number})
            return redirect(case_url(new))
    return render(
        request,
        "service_desk/cases/split.html",
        {"case": case, "form": form, "case_messages": case_messages},
        status=form_status(form),
    )
