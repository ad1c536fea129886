"""Deal pages: list (filters, sort, saved views, bulk actions), detail, create, edit, won and lost."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customization.fields.display import attach_cells, detail_sections
from customization.fields.form_fields import form_errors
from customization.fields.listing import added_filter_query, custom_params, list_context, read_state
from customization.fields.queries import order_by_custom
from identity.decorators import require_permission
from identity.forms import apply_service_errors, form_status
from modules.activities.models import Activity
from modules.contacts.choices import SavedViewEntity
from modules.contacts.models import SavedView, Tag
from modules.contacts.services.money import base_currency
from modules.home.recent import remember_visit
from modules.sales.choices import DealStatus, StageKind
from modules.sales.forms.deals import DealForm, LostForm
from modules.sales.forms.leads import active_users
from modules.sales.models import Deal, Pipeline, Stage
from modules.sales.selectors.deals import DEAL_SORTS, filter_deals, visible_companies, visible_contacts, visible_deals
from modules.sales.services.bulk import (
    BulkFailure,
    bulk_assign_owner,
    bulk_delete,
    bulk_move_to_stage,
    delete_saved_view,
    save_deal_view,
)
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

LIST_PARAMS = ("pipeline", "stage", "owner", "status", "tag", "q", "sort")
DEAL_PAGE_SIZE = 50


def _visible_deal(request: HttpRequest, pk: int) -> Deal:
    return get_object_or_404(
        visible_deals(current_user(request)).select_related("pipeline", "stage", "owner", "company", "contact"), pk=pk
    )


def _list_query(params: QueryDict) -> dict[str, str]:
    return {name: str(params.get(name)) for name in LIST_PARAMS if params.get(name)} | custom_params(params)


@pipeline_page("sales.view")
def deal_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    added = added_filter_query(request.GET)
    if added is not None:
        return redirect(reverse("sales:deal-list") + "?" + added)
    custom = read_state("deal", request.GET)
    sort = request.GET.get("sort", "-updated")
    if sort not in DEAL_SORTS:
        sort = "-updated"
    field, descending = DEAL_SORTS[sort]
    order = f"-{field}" if descending else field
    deals = custom.apply(filter_deals(visible_deals(user), request.GET)).select_related(
        "stage", "owner", "company", "pipeline"
    )
    if custom.sort is not None:  # pages by offset here, so the (value, id) order is enough
        deals = order_by_custom(deals, custom.sort, descending=custom.descending)
        sort = str(custom.sort_param)
    else:
        deals = deals.order_by(order, "-id" if descending else "id")
    page = Paginator(deals, DEAL_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if custom.columns:
        attach_cells(custom.columns, rows, user=user)
    params = request.GET.copy()
    params.pop("page", None)
    saved_views = SavedView.objects.filter(Q(owner=user) | Q(is_shared=True), entity=SavedViewEntity.DEAL)
    return render(
        request,
        "sales/deals/list.html",
        {
            "page": page,
            "deals": rows,
            "sort": sort,
            "query": params.urlencode(),
            "current_query": _list_query(request.GET),
            "pipelines": list(Pipeline.objects.all()),
            "stages": list(Stage.objects.select_related("pipeline").order_by("pipeline__position", "position")),
            "owners": list(active_users()),
            "tags": list(Tag.objects.order_by("name")),
            "statuses": DealStatus.choices,
            "saved_views": list(saved_views),
            "sorts": [("-updated", _("Recently updated")), ("-amount", _("Amount, largest first")),
                      ("amount", _("Amount, smallest first")), ("close", _("Expected close")),
                      ("stage", _("Stage")), ("owner", _("Owner")), ("name", _("Name"))],
            **list_context(custom, _list_query(request.GET), sort=sort),
        },
        status=400 if custom.errors else 200,
    )  # fmt: skip


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
    user = current_user(request)
    action = request.POST.get("action", "")
    ids = [int(value) for value in request.POST.getlist("deals") if value.isdigit()]
    back = reverse("sales:deal-list") + (f"?{request.POST['return_query']}" if request.POST.get("return_query") else "")
    deals = list(visible_deals(user).filter(pk__in=ids).select_related("stage", "pipeline").order_by("id"))
    if not deals:
        messages.error(request, _("Select at least one deal."))
        return redirect(back)
    try:
        if action == "assign":
            owner_id = request.POST.get("owner", "")
            owner = get_object_or_404(active_users(), pk=int(owner_id)) if owner_id.isdigit() else None
            count = bulk_assign_owner(deals, owner, by=user)
        elif action == "stage":
            stage_id = request.POST.get("stage", "")
            if not stage_id.isdigit():
                messages.error(request, _("Choose the stage."))
                return redirect(back)
            count = bulk_move_to_stage(deals, get_object_or_404(Stage, pk=int(stage_id)), by=user)
        elif action == "delete":
            require_permission(request, "sales.delete")
            count = bulk_delete(deals, by=user)
        else:
            messages.error(request, _("Choose an action."))
            return redirect(back)
    except BulkFailure as failure:
        messages.error(request, " ".join(failure.messages))
        return redirect(back)
    messages.success(request, _("%(count)d deals changed.") % {"count": count})
    return redirect(back)


@pipeline_page("sales.view")
@require_POST
def deal_view_save(request: HttpRequest) -> HttpResponse:
    query = QueryDict(request.POST.get("query", ""))
    try:
        view = save_deal_view(
            owner=current_user(request),
            name=request.POST.get("name", ""),
            query=_list_query(query),
            is_shared=bool(request.POST.get("is_shared")),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("sales:deal-list") + (f"?{query.urlencode()}" if query else ""))
    messages.success(request, _("View %(view)s is saved.") % {"view": view.name})
    return redirect(reverse("sales:deal-list") + f"?view={view.pk}&" + query.urlencode())


@pipeline_page("sales.view")
@require_POST
def deal_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=pk, entity=SavedViewEntity.DEAL, owner=current_user(request))
    delete_saved_view(view, by=current_user(request))
    messages.success(request, _("View %(view)s is deleted.") % {"view": view.name})
    return redirect("sales:deal-list")
