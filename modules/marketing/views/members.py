"""A campaign's members from its page: search contacts and leads to add, add a segment's contacts,
change a member's status, take members out; and the "Campaigns" card of a contact's, a lead's or a
deal's page (loaded by htmx): memberships, the source campaign and the latest touches."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.input_bounds import text_problem
from identity.decorators import signed_in_user
from modules.contacts.selectors.lists import visible_contacts
from modules.marketing.attribution.record_touches import first_touch, record_touches
from modules.marketing.forms import AddMembersForm, AddSegmentForm, MemberStatusForm, RemoveMembersForm
from modules.marketing.guard import marketing_page
from modules.marketing.models import Campaign, CampaignMember
from modules.marketing.selectors.audience import segment_contacts
from modules.marketing.selectors.campaigns import visible_campaigns
from modules.marketing.services.campaigns import (
    MAX_MEMBERS_PER_CALL,
    add_members,
    remove_members,
    set_member_status,
)
from modules.registry import is_enabled

SEARCH_RESULTS = 20
RECENT = 10


def visible_leads_for(request: HttpRequest) -> QuerySet[Any] | None:
    """The leads the user may see, or None when sales is not in the plan or not in the role."""
    user = signed_in_user(request)
    if not (is_enabled(getattr(request, "tenant", None), "sales") and user.has_perm("sales.view")):
        return None
    from modules.sales.selectors.deals import visible_leads

    return visible_leads(user)


def member_candidates(request: HttpRequest, campaign: Campaign, query: str) -> dict[str, Any] | None:
    """Contacts and leads matching ``query`` that are not members yet (two queries)."""
    if not query or text_problem(query):
        return None
    user = signed_in_user(request)
    contacts = (
        visible_contacts(user)
        .filter(full_name__icontains=query)
        .exclude(campaign_memberships__campaign=campaign)
        .select_related("company")
        .order_by("full_name", "id")[:SEARCH_RESULTS]
    )
    leads_qs = visible_leads_for(request)
    leads = []
    if leads_qs is not None:
        leads = list(
            leads_qs.filter(full_name__icontains=query)
            .exclude(campaign_memberships__campaign=campaign)
            .order_by("full_name", "id")[:SEARCH_RESULTS]
        )
    return {"contacts": list(contacts), "leads": leads}


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(visible_campaigns(signed_in_user(request)), pk=pk)


def _back(campaign: Campaign) -> HttpResponse:
    return redirect(f"{reverse('marketing:campaign-detail', args=[campaign.pk])}#members")


def _refused(request: HttpRequest, campaign: Campaign, problems: dict[str, list[str]], **forms: Any) -> HttpResponse:
    from modules.marketing.views.campaigns import campaign_page

    for errors in problems.values():
        messages.error(request, " ".join(str(error) for error in errors))
    return campaign_page(request, campaign, status=400, **forms)


def _problems(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


@marketing_page("marketing.view", "marketing.change")
@require_POST
def members_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    leads = visible_leads_for(request)
    form = AddMembersForm(
        request.POST,
        contacts=visible_contacts(signed_in_user(request)),
        leads=leads if leads is not None else CampaignMember.objects.none(),
    )
    if not form.is_valid():
        problems = {name: [item["message"] for item in items] for name, items in form.errors.get_json_data().items()}
        return _refused(request, campaign, problems, add_form=form)
    try:
        added = add_members(
            campaign,
            by=signed_in_user(request),
            contacts=form.cleaned_data["contacts"],
            leads=form.cleaned_data["leads"],
            status=form.cleaned_data["status"],
        )
    except ValidationError as error:
        return _refused(request, campaign, _problems(error), add_form=form)
    messages.success(
        request, ngettext("%(count)d member added.", "%(count)d members added.", len(added)) % {"count": len(added)}
    )
    return _back(campaign)


@marketing_page("marketing.view", "marketing.change")
@require_POST
def members_add_segment(request: HttpRequest, pk: int) -> HttpResponse:
    """Every contact of a segment the user may see, added in one call (those already in stay)."""
    campaign = _campaign(request, pk)
    form = AddSegmentForm(request.POST)
    if not form.is_valid():
        problems = {name: [item["message"] for item in items] for name, items in form.errors.get_json_data().items()}
        return _refused(request, campaign, problems, segment_form=form)
    user = signed_in_user(request)
    contacts = segment_contacts(form.cleaned_data["segment"]).filter(pk__in=visible_contacts(user).values("pk"))
    ids = list(contacts.order_by("pk").values_list("pk", flat=True)[: MAX_MEMBERS_PER_CALL + 1])
    try:
        added = add_members(campaign, by=user, contacts=ids, status=form.cleaned_data["status"])
    except ValidationError as error:
        return _refused(request, campaign, _problems(error), segment_form=form)
    messages.success(
        request, ngettext("%(count)d member added.", "%(count)d members added.", len(added)) % {"count": len(added)}
    )
    return _back(campaign)


@marketing_page("marketing.view", "marketing.change")
@require_POST
def member_status(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    member = get_object_or_404(CampaignMember, campaign=campaign, pk=member_pk)
    form = MemberStatusForm(request.POST)
    if not form.is_valid():
        problems = {name: [item["message"] for item in items] for name, items in form.errors.get_json_data().items()}
        return _refused(request, campaign, problems)
    set_member_status(member, form.cleaned_data["status"], by=signed_in_user(request))
    messages.success(request, _("The member's status is saved."))
    return _back(campaign)


@marketing_page("marketing.view", "marketing.change")
@require_POST
def members_remove(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = RemoveMembersForm(request.POST)
    if not form.is_valid():
        return _refused(request, campaign, {"members": [_("Choose the members to remove.")]})
    removed = remove_members(campaign, form.cleaned_data["members"], by=signed_in_user(request))
    messages.success(
        request, ngettext("%(count)d member removed.", "%(count)d members removed.", removed) % {"count": removed}
    )
    return _back(campaign)


def campaigns_card_visible(request: HttpRequest) -> bool:
    """The card shows on record pages of a tenant with marketing, to users who may view it."""
    user = getattr(request, "user", None)
    return is_enabled(getattr(request, "tenant", None), "marketing") and bool(
        user is not None and user.has_perm("marketing.view")
    )


def _card_record(request: HttpRequest, subject: str, pk: int) -> Any:
    """The contact, lead or deal of a card, among those the user may see (else 404)."""
    user = signed_in_user(request)
    if subject == "contact":
        return get_object_or_404(visible_contacts(user), pk=pk)
    if subject not in ("lead", "deal"):
        raise Http404
    if not (is_enabled(getattr(request, "tenant", None), "sales") and user.has_perm("sales.view")):
        raise Http404
    from modules.sales.selectors.deals import visible_deals, visible_leads

    return get_object_or_404((visible_leads if subject == "lead" else visible_deals)(user), pk=pk)


@marketing_page("marketing.view")
def record_campaigns_card(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    """The campaigns a contact or a lead is a member of, and the source campaign and latest touches
    of a contact, lead or deal, among the campaigns the user may see (a fixed number of queries)."""
    user = signed_in_user(request)
    record = _card_record(request, subject, pk)
    campaigns = visible_campaigns(user).values("pk")
    context: dict[str, Any] = {"subject": subject, "record": record, "memberships": [], "total": 0}
    if subject != "deal":
        memberships = CampaignMember.objects.filter(**{subject: record}, campaign__in=campaigns).select_related(
            "campaign"
        )
        context["total"] = memberships.count()
        context["memberships"] = list(memberships.order_by("-created_at", "-id")[:RECENT])
    touches = record_touches(subject, record)
    source = first_touch(touches)
    context["source"] = source
    context["source_shown"] = source is not None and visible_campaigns(user).filter(pk=source.campaign_id).exists()
    context["touches"] = list(
        touches.filter(campaign__in=campaigns).select_related("campaign").order_by("-occurred_at", "-id")[:RECENT]
    )
    return render(request, "marketing/campaigns/_record_campaigns.html", context)
