"""Settings → Service → Statuses and Categories."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.forms import apply_service_errors, form_status
from modules.service.desk.forms import CategoryForm, RenameStatusForm, StatusForm
from modules.service.desk.services import statuses_admin
from modules.service.desk.views import ADMIN, desk_page
from modules.service.models import CaseCategory, CaseStatus


def _status_page(request: HttpRequest, form: StatusForm, status: int = 200) -> HttpResponse:
    statuses = list(CaseStatus.objects.annotate(case_count=Count("cases")).order_by("position", "id"))
    return render(request, "service_desk/settings/statuses.html", {"statuses": statuses, "form": form}, status=status)


@desk_page(ADMIN)
def status_list(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = statuses_admin.add_status(**form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Status %(name)s is added.") % {"name": created.label})
            return redirect("service-desk-admin:statuses")
    return _status_page(request, form, form_status(form))


def _errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@desk_page(ADMIN)
@require_POST
def status_rename(request: HttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(CaseStatus, pk=pk)
    form = RenameStatusForm(request.POST)
    if form.is_valid():
        try:
            statuses_admin.rename_status(status, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
    if form.errors:
        messages.error(request, "; ".join(f"{name}: {' '.join(map(str, errs))}" for name, errs in form.errors.items()))
        return _status_page(request, StatusForm(), 400)
    return redirect("service-desk-admin:statuses")


@desk_page(ADMIN)
@require_POST
def status_move(request: HttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(CaseStatus, pk=pk)
    order = list(CaseStatus.objects.order_by("position", "id").values_list("pk", flat=True))
    index = order.index(status.pk)
    other = {"up": index - 1, "down": index + 1}.get(request.POST.get("direction", ""), index)
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        statuses_admin.reorder_statuses(order=order)
    return redirect("service-desk-admin:statuses")


@desk_page(ADMIN)
@require_POST
def status_active(request: HttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(CaseStatus, pk=pk)
    try:
        statuses_admin.set_status_active(status, active=request.POST.get("active") == "1")
    except ValidationError as error:
        _errors_to_messages(request, error)
    return redirect("service-desk-admin:statuses")


@desk_page(ADMIN)
@require_POST
def status_delete(request: HttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(CaseStatus, pk=pk)
    try:
        statuses_admin.delete_status(status)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Status %(name)s is deleted.") % {"name": status.label})
    return redirect("service-desk-admin:statuses")


@desk_page(ADMIN)
def category_list(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = statuses_admin.add_category(**form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Category %(name)s is added.") % {"name": created.name})
            return redirect("service-desk-admin:categories")
    categories = list(CaseCategory.objects.annotate(case_count=Count("cases")).order_by("name", "id"))
    return render(
        request,
        "service_desk/settings/categories.html",
        {"categories": categories, "form": form},
        status=form_status(form),
    )


@desk_page(ADMIN)
@require_POST
def category_rename(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(CaseCategory, pk=pk)
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            statuses_admin.rename_category(category, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
    if form.errors:
        messages.error(request, "; ".join(f"{name}: {' '.join(map(str, errs))}" for name, errs in form.errors.items()))
        categories = list(CaseCategory.objects.annotate(case_count=Count("cases")).order_by("name", "id"))
        return render(
            request,
            "service_desk/settings/categories.html",
            {"categories": categories, "form": CategoryForm()},
            status=400,
        )
    return redirect("service-desk-admin:categories")


@desk_page(ADMIN)
@require_POST
def category_active(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(CaseCategory, pk=pk)
    statuses_admin.set_category_active(category, active=request.POST.get("active") == "1")
    return redirect("service-desk-admin:categories")
