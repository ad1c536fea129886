"""The categories admin (``service.admin``): list, add, rename and move, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.service.knowledge.forms import CategoryForm
from modules.service.knowledge.models import KnowledgeCategory
from modules.service.knowledge.services.categories import create_category, delete_category, update_category
from modules.service.knowledge.views import knowledge_page


def _values(form: CategoryForm) -> dict[str, object]:
    values = dict(form.cleaned_data)
    if values.get("position") is None:
        values.pop("position", None)
    return values


@knowledge_page("service.view", "service.admin")
def category_list(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = create_category(by=signed_in_user(request), **_values(form))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(category)s is added.") % {"category": category.name})
            return redirect("knowledge:categories")
    categories = KnowledgeCategory.objects.select_related("parent").annotate(article_count=Count("articles"))
    return render(
        request, "service/knowledge/categories.html", {"form": form, "categories": categories}, status=form_status(form)
    )


@knowledge_page("service.view", "service.admin")
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(KnowledgeCategory, pk=pk)
    initial = {
        "name": category.name, "description": category.description, "parent": category.parent_id,
        "position": category.position,
    }  # fmt: skip
    form = CategoryForm(request.POST or None, initial=initial, exclude_pk=category.pk)
    if request.method == "POST" and form.is_valid():
        try:
            update_category(category, by=signed_in_user(request), **_values(form))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(category)s is saved.") % {"category": category.name})
            return redirect("knowledge:categories")
    return render(
        request, "service/knowledge/category_form.html", {"form": form, "category": category}, status=form_status(form)
    )


@knowledge_page("service.view", "service.admin")
@require_POST
def category_delete(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(KnowledgeCategory, pk=pk)
    try:
        delete_category(category, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(category)s is deleted; its articles stay.") % {"category": category.name})
    return redirect("knowledge:categories")
