"""The customer's cases in the portal: list, open one, read its public conversation, reply, and
download its files. Cases are found through ``portal_cases`` only: another customer's is a 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from modules.collaboration.models.attachment import attachment_storage
from modules.service.models import Case
from modules.service.portal.forms import CaseForm, ReplyForm
from modules.service.portal.selectors import portal_attachment, portal_cases, portal_orders, public_messages
from modules.service.portal.services.requests import open_case, reply
from modules.service.portal.views.base import address, current, portal_page, portal_render

LIST_LIMIT = 100
ACTIVE_TYPES = ("text/html", "image/svg", "application/xhtml", "text/xml", "application/xml", "javascript")


def _add_errors(form: CaseForm | ReplyForm, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _case(request: HttpRequest, pk: int) -> Case:
    case = portal_cases(current(request)).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@require_GET
@portal_page
def case_list(request: HttpRequest) -> HttpResponse:
    cases = list(portal_cases(current(request))[:LIST_LIMIT])
    return portal_render(request, "service/portal/cases.html", {"cases": cases, "section": "cases"})


@require_http_methods(["GET", "POST"])
@portal_page
def case_create(request: HttpRequest) -> HttpResponse:
    # A case about an order starts from the order's page (``?order=<id>``): one of the customer's
    # own orders, or a 404 like any other record of theirs the portal does not show.
    order = None
    order_id = request.GET.get("order", "")
    if order_id:
        order = portal_orders(current(request)).filter(pk=int(order_id) if order_id.isdigit() else 0).first()
        if order is None:
            raise Http404
    context = {"section": "cases", "order": order}
    form = CaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                case = open_case(
                    current(request), subject=form.cleaned_data["subject"],
                    description=form.cleaned_data["description"], attachments=form.cleaned_data["attachments"],
                    order=order, ip_address=address(request),
                )  # fmt: skip
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return redirect("portal:case", pk=case.pk)
        return portal_render(request, "service/portal/case_form.html", {"form": form, **context}, status=400)
    return portal_render(request, "service/portal/case_form.html", {"form": form, **context})


def _case_page(request: HttpRequest, case: Case, form: ReplyForm, *, status: int = 200) -> HttpResponse:
    context = {"case": case, "messages_shown": list(public_messages(case)), "form": form, "section": "cases"}
    return portal_render(request, "service/portal/case.html", context, status=status)


@require_GET
@portal_page
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _case(request, pk), ReplyForm())


@require_POST
@portal_page
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = ReplyForm(request.POST, request.FILES or None)
    if form.is_valid():
        try:
            reply(
                current(request), case, body=form.cleaned_data["body"], attachments=form.cleaned_data["attachments"],
                ip_address=address(request),
            )  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("portal:case", pk=case.pk)
    return _case_page(request, case, form, status=400)


@require_GET
@portal_page
def case_attachment(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    attachment = portal_attachment(current(request), pk, file_id)
    if attachment is None:
        raise Http404
    content_type = attachment.content_type or "application/octet-stream"
    if any(content_type.startswith(active) for active in ACTIVE_TYPES):
        content_type = "application/octet-stream"
    response = FileResponse(
        attachment_storage().open(attachment.storage_key, "rb"), as_attachment=True, filename=attachment.name,
        content_type=content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # a FileResponse streams; the page decorator only sets headers
