"""Marketing → Collateral: the library (search, category and tag filters), an item's page with
its version history, uploads, downloads, archiving and share links.

Who: browsing, downloading and sharing need ``marketing.view`` or ``sales.view`` — the library is
for the reps who send the material as much as for the marketers who make it; uploading and
archiving need ``marketing.change``. The whole library is part of the marketing module's plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.input_bounds import text_problem
from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.contacts.selectors.lists import visible_contacts
from modules.marketing.collateral.composer import live_items, share_url
from modules.marketing.collateral.forms import ItemForm, SendForm, VersionForm
from modules.marketing.collateral.models import CollateralItem
from modules.marketing.collateral.sending import AS_LINK, send_to_contact
from modules.marketing.collateral.services import (
    SHARE_DAYS,
    add_version,
    archive_item,
    create_item,
    download_response,
    share_token,
)
from modules.marketing.guard import marketing_page

LIST_LIMIT = 200


def may_browse(request: HttpRequest) -> bool:
    return request.user.has_perm("marketing.view") or request.user.has_perm("sales.view")


def _require_browse(request: HttpRequest) -> None:
    if not may_browse(request):
        raise PermissionDenied(_("You need the marketing or the sales view permission."))


def _search(items: QuerySet[CollateralItem], query: str) -> QuerySet[CollateralItem]:
    for word in query.split()[:10]:
        items = items.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(category__icontains=word)
            | Q(tags__contains=[word.lower()])
        )  # fmt: skip
    return items


@marketing_page()
def library(request: HttpRequest) -> HttpResponse:
    _require_browse(request)
    params = {key: request.GET.get(key, "").strip() for key in ("q", "category", "tag")}
    for key, value in params.items():
        if text_problem(value) or len(value) > 200:
            return HttpResponseBadRequest(f"{key}: {text_problem(value) or _('At most 200 characters.')}")
    archived = request.GET.get("archived") == "1"
    items = CollateralItem.objects.filter(archived_at__isnull=not archived)
    items = _search(items, params["q"])
    if params["category"]:
        items = items.filter(category=params["category"])
    if params["tag"]:
        items = items.filter(tags__contains=[params["tag"].lower()])
    rows = list(
        items.select_related("current_version", "current_version__uploaded_by").order_by("title", "id")[
            : LIST_LIMIT + 1
        ]
    )
    categories = (
        CollateralItem.objects.filter(archived_at__isnull=True).exclude(category="")
        .order_by("category").values_list("category", flat=True).distinct()
    )  # fmt: skip
    context = {
        "items": rows[:LIST_LIMIT],
        "more": len(rows) > LIST_LIMIT,
        "params": params,
        "archived": archived,
        "categories": list(categories),
        "may_change": request.user.has_perm("marketing.change"),
    }
    return render(request, "marketing/collateral/list.html", context)


@marketing_page("marketing.change")
def item_create(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = create_item(
                title=data["title"], description=data["description"], category=data["category"], tags=data["tags"],
                upload=data["file"], by=signed_in_user(request),
            )  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(title)s is in the library.") % {"title": item.title})
            return redirect("marketing-collateral:detail", item.pk)
    return render(request, "marketing/collateral/form.html", {"form": form}, status=form_status(form))


def _send_form(request: HttpRequest, item: CollateralItem, data: Any = None) -> SendForm:
    initial = {"subject": item.title, "body": _("Hello {{ record.first_name }},\n\n")}
    return SendForm(data, initial=initial, contacts=visible_contacts(signed_in_user(request)))


def _detail(
    request: HttpRequest,
    item: CollateralItem,
    *,
    version_form: VersionForm,
    status: int = 200,
    link: str = "",
    send_form: SendForm | None = None,
) -> HttpResponse:
    versions = item.versions.select_related("uploaded_by").order_by("-number")
    context = {
        "item": item,
        "versions": versions,
        "version_form": version_form,
        "send_form": send_form or _send_form(request, item),
        "may_change": request.user.has_perm("marketing.change"),
        "share_link": link,
        "share_days": SHARE_DAYS,
    }
    return render(request, "marketing/collateral/detail.html", context, status=status)


@marketing_page()
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_browse(request)
    item = get_object_or_404(CollateralItem.objects.select_related("current_version"), pk=pk)
    return _detail(request, item, version_form=VersionForm())


@require_POST
@marketing_page("marketing.change")
def version_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(CollateralItem, pk=pk)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = add_version(item, upload=form.cleaned_data["file"], note=form.cleaned_data["note"],
                                  by=signed_in_user(request))  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Version %(number)d is uploaded.") % {"number": version.number})
            return redirect("marketing-collateral:detail", item.pk)
    return _detail(request, item, version_form=form, status=400)


@require_POST
@marketing_page("marketing.change")
def item_archive(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(CollateralItem, pk=pk)
    archive_item(item, by=signed_in_user(request), archived=request.POST.get("restore") != "1")
    return redirect("marketing-collateral:detail", item.pk)


@require_POST
@marketing_page()
def item_share(request: HttpRequest, pk: int) -> HttpResponse:
    _require_browse(request)
    item = get_object_or_404(CollateralItem.objects.select_related("current_version"), pk=pk, archived_at__isnull=True)
    path = reverse(
        "marketing-collateral-public:download", args=[share_token(item, valid_for=timedelta(days=SHARE_DAYS))]
    )
    return _detail(request, item, version_form=VersionForm(), link=request.build_absolute_uri(path))


@require_POST
@marketing_page()
def item_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the item to a contact the user may see, through the tenant's mail."""
    _require_browse(request)
    item = get_object_or_404(live_items().select_related("current_version"), pk=pk)
    form = _send_form(request, item, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        link = share_url(request, item) if data["attach_as"] == AS_LINK else ""
        try:
            send_to_contact(item, contact=data["contact"], subject=data["subject"], body=data["body"],
                            attach_as=data["attach_as"], link=link, by=signed_in_user(request))  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(title)s is sent to %(name)s.") % {"title": item.title,
                             "name": data["contact"].full_name})  # fmt: skip
            return redirect("marketing-collateral:detail", item.pk)
    return _detail(request, item, version_form=VersionForm(), send_form=form, status=400)


@marketing_page()
def version_download(request: HttpRequest, pk: int, collateral_version_pk: int) -> HttpResponseBase:
    _require_browse(request)
    item = get_object_or_404(CollateralItem, pk=pk)
    version = get_object_or_404(item.versions, pk=collateral_version_pk)
    return download_response(version)
