"""Deal pages: list (filters, sort, saved views, bulk actions), detail, create, edit, won and lost."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customization.fields.display import detail_sections
from customization.fields.form_fields import form_errors
from identity.forms import apply_service_errors, form_status
from modules.activities.models import Activity
from modules.contacts.services.money import base_currency
from modules.home.recent import remember_visit
from modules.lists import views as lists
from modules.sales.choices import DealStatus, StageKind
from modules.sales.forms.deals import DealForm, LostForm
from modules.sales.lists import DEALS
from modules.sales.models import Deal
from modules.sales.selectors.deals import visible_companies, visible_contacts, visible_deals
from modules.sales.services.deals import (
    create_deal,
    delete_deal,
    mark_lost,
    mark_won,
    undo_last_move,
    undoable_move,
    update_deal,
)
from modules.sales.views import current_user, pipeline_page


def _visible_deal(request: HttpRequest, pk: int) -> Deal:
    return get_object_or_404(
        visible_deals(current_user(request)).select_related("pipeline", "stage", "owner", "company", "contact"), pk=pk
    )


@pipeline_page("sales.view")
def deal_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, DEALS)


@pipeline_page("sales.view")
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _visible_deal(request, pk)
    remember_visit(request.user, deal)
    stages = list(deal.pipeline.stages.order_by("position", "id"))
    open_stages = [stage for stage in stages if stage.kind == StageKind.OPEN]
    activities = Activity.objects.filter(deal=deal).select_related("assignee").order_by("-due_at", "-id")[:20]
    return render(
        request,
        "sales/deals/detail.html",
        {
            "deal": deal,
            "stages": open_stages,
            "tags": list(deal.tags.all()),
            "activities": list(activities),
            "lost_form": LostForm(),
            "rotting": deal.is_rotting(),
            "base_currency": base_currency(),
            "custom_details": detail_sections("deal", deal, user=current_user(request)),
            "undo": undoable_move(deal, current_user(request)) if deal.status != DealStatus.OPEN else None,
        },
    )


@pipeline_page("sales.view", "sales.change")
def deal_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    initial = {"owner": user, "currency": base_currency()}
    for name in ("company", "contact", "pipeline", "stage"):
        if request.GET.get(name, "").isdigit():
            initial[name] = int(request.GET[name])
    form = DealForm(
        request.POST or None, initial=initial, companies=visible_companies(user), contacts=visible_contacts(user)
    )
    form.add_custom_fields("deal", user=user)
    if request.method == "POST" and form.is_valid():
        try:
            deal = create_deal(by=user, custom=form.custom_values(), **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Deal %(deal)s is saved.") % {"deal": deal})
            return redirect("sales:deal-detail", deal.pk)
    return render(request, "sales/deals/form.html", {"form": form, "deal": None}, status=form_status(form))


@pipeline_page("sales.view", "sales.change")
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    deal = _visible_deal(request, pk)
    form = DealForm(
        request.POST or None,
        initial=DealForm.initial_for(deal),
        companies=visible_companies(user),
        contacts=visible_contacts(user),
        editing=True,
    )
    form.add_custom_fields("deal", user=user, current=deal.custom)
    if request.method == "POST" and form.is_valid():
        try:
            update_deal(deal, by=user, custom=form.custom_values(), **form.service_values())
        except ValidationError as error:
            deal.refresh_from_db()
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Deal %(deal)s is saved.") % {"deal": deal})
            return redirect("sales:deal-detail", deal.pk)
    return render(request, "sales/deals/form.html", {"form": form, "deal": deal}, status=form_status(form))


@pipeline_page("sales.view", "sales.change")
@require_POST
def deal_won(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _visible_deal(request, pk)
    try:
        mark_won(deal, by=current_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Deal %(deal)s is won.") % {"deal": deal})  # the page offers Undo
    return redirect("sales:deal-detail", deal.pk)


@pipeline_page("sales.view", "sales.change")
def deal_lost(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _visible_deal(request, pk)
    form = LostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mark_lost(deal, by=current_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Deal %(deal)s is lost.") % {"deal": deal})
            return redirect("sales:deal-detail", deal.pk)
    return render(request, "sales/deals/lost.html", {"form": form, "deal": deal}, status=form_status(form))


@pipeline_page("sales.view", "sales.change")
@require_POST
def deal_undo_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back the user's last move of the deal (within ``UNDO_WINDOW``): from the record page
    (a redirect with a message) or the board (JSON, as its moves)."""
    deal = _visible_deal(request, pk)
    answer_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        moved = undo_last_move(deal, by=current_user(request))
    except ValidationError as error:
        if answer_json:
            return JsonResponse({"errors": error.message_dict}, status=400)
        messages.error(request, " ".join(error.messages))
        return redirect("sales:deal-detail", deal.pk)
    if answer_json:
        return JsonResponse({"deal": moved.pk, "stage": moved.stage_id, "status": moved.status})
    messages.success(request, _("Deal %(deal)s is back in %(stage)s.") % {"deal": moved, "stage": moved.stage.name})
    return redirect("sales:deal-detail", deal.pk)


@pipeline_page("sales.view", "sales.delete")
@require_POST
def deal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _visible_deal(request, pk)
    delete_deal(deal, by=current_user(request))
    messages.success(request, _("Deal %(deal)s is deleted.") % {"deal": deal.name})
    return redirect("sales:deal-list")


@pipeline_page("sales.view", "sales.change")
@require_POST
def deal_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, DEALS)


@pipeline_page("sales.view")
@require_POST
def deal_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, DEALS)


@pipeline_page("sales.view")
@require_POST
def deal_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, DEALS)
