"""Campaign pages: the list (on the list framework), create, edit and delete, and a campaign's page
(its figures, members, sub-campaigns and results)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customization.fields.display import detail_sections
from customization.fields.form_fields import form_errors
from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.contacts.services.money import base_currency
from modules.lists import views as lists
from modules.marketing.attribution.choices import AttributionModel
from modules.marketing.attribution.selectors import campaign_results
from modules.marketing.choices import MemberStatus
from modules.marketing.forms import AddMembersForm, AddSegmentForm, CampaignForm
from modules.marketing.guard import marketing_page
from modules.marketing.lists import CAMPAIGNS
from modules.marketing.models import Campaign
from modules.marketing.selectors.campaigns import campaign_members, members_by_status, visible_campaigns
from modules.marketing.services.campaigns import create_campaign, delete_campaign, update_campaign
from modules.marketing.views.members import member_candidates
from modules.record_access import page_access

MEMBERS_PER_PAGE = 50


def campaign_for(request: HttpRequest, pk: int) -> Campaign:
    """The campaign ``pk`` when the user may see it, else 404."""
    return get_object_or_404(visible_campaigns(signed_in_user(request)).select_related("owner", "parent"), pk=pk)


@marketing_page("marketing.view")
def campaign_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, CAMPAIGNS)


@marketing_page("marketing.view", "marketing.change")
@require_POST
def campaign_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, CAMPAIGNS)


@marketing_page("marketing.view")
@require_POST
def campaign_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, CAMPAIGNS)


@marketing_page("marketing.view")
@require_POST
def campaign_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, CAMPAIGNS)


def _form(request: HttpRequest, campaign: Campaign | None) -> CampaignForm:
    user = signed_in_user(request)
    parents = visible_campaigns(user)
    if campaign is None:
        initial: dict[str, Any] = {"owner": user}
        parent = request.GET.get("parent", "")
        if parent.isdigit() and len(parent) < 12:
            initial["parent"] = int(parent)
    else:
        initial = CampaignForm.initial_for(campaign)
        parents = parents.exclude(pk=campaign.pk)
    form = CampaignForm(request.POST or None, initial=initial, parents=parents)
    form.add_custom_fields("campaign", user=user, current=campaign.custom if campaign else None)
    return form


@marketing_page("marketing.view", "marketing.change")
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = _form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = create_campaign(by=signed_in_user(request), custom=form.custom_values(), **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Campaign %(name)s is created.") % {"name": campaign.name})
            return redirect("marketing:campaign-detail", pk=campaign.pk)
    context = {"form": form, "campaign": None}
    return render(request, "marketing/campaigns/form.html", context, status=form_status(form))


@marketing_page("marketing.view", "marketing.change")
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for(request, pk)
    form = _form(request, campaign)
    if request.method == "POST" and form.is_valid():
        try:
            update_campaign(campaign, by=signed_in_user(request), custom=form.custom_values(), **form.service_values())
        except ValidationError as error:
            campaign = campaign_for(request, pk)
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Campaign %(name)s is saved.") % {"name": campaign.name})
            return redirect("marketing:campaign-detail", pk=campaign.pk)
    context = {"form": form, "campaign": campaign}
    return render(request, "marketing/campaigns/form.html", context, status=form_status(form))


@marketing_page("marketing.view", "marketing.delete")
@require_POST
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for(request, pk)
    delete_campaign(campaign, by=signed_in_user(request))
    messages.success(request, _("Campaign %(name)s is deleted.") % {"name": campaign.name})
    return redirect("marketing:campaign-list")


def campaign_page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    add_form: AddMembersForm | None = None,
    segment_form: AddSegmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """A campaign's page: figures, results, members (paged; the page's queries do not grow with
    the number of members), sub-campaigns and custom fields."""
    user = signed_in_user(request)
    access = page_access(request)
    page = Paginator(campaign_members(campaign), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    members = [
        {
            "member": member,
            "contact": access.shown(member.contact) if member.contact_id else None,
            "lead": access.shown(member.lead) if member.lead_id else None,
        }
        for member in page.object_list
    ]
    query = request.GET.get("member_q", "").strip()[:100]
    candidates = member_candidates(request, campaign, query)
    context = {
        "campaign": campaign,
        "members": members,
        "page": page,
        "by_status": members_by_status(campaign),
        "children": list(visible_campaigns(user).filter(parent=campaign).select_related("owner").order_by("name")),
        "custom_details": detail_sections("campaign", campaign, user=user),
        "member_q": query,
        "candidates": candidates,
        "add_form": add_form,
        "segment_form": segment_form or AddSegmentForm(),
        "status_choices": MemberStatus.choices,
        "base_currency": base_currency(),
        **_results(request, campaign),
    }
    return render(request, "marketing/campaigns/detail.html", context, status=status)


def _results(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    """The campaign's attribution figures under each model, for a user who may see marketing
    reports (one query)."""
    if not signed_in_user(request).has_perm("marketing.view_reports"):
        return {"results": None}
    results = campaign_results(campaign)
    rows = [] if results is None else [(key, label, results.by_model[key]) for key, label in AttributionModel.choices]
    return {"results": results, "result_rows": rows}


@marketing_page("marketing.view")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return campaign_page(request, campaign_for(request, pk))
