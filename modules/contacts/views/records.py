"""Company and contact pages: lists (filters, sort, keyset pages, saved views, bulk actions) and
detail (create and edit are in ``record_forms``). Both record types share the code; ``RecordType``
holds what differs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customization.fields.display import attach_cells, detail_sections
from customization.fields.listing import (
    COLUMNS,
    PREFIX,
    added_filter_query,
    custom_params,
    list_context,
    read_state,
)
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.choices import LifecycleStage, SavedViewEntity
from modules.contacts.forms import BulkActionForm
from modules.contacts.models import SavedView, Tag
from modules.contacts.selectors.lists import (
    COMPANY_LIST,
    CONTACT_LIST,
    FILTER_KEYS,
    ListSpec,
    list_page,
    visible_companies,
    visible_contacts,
)
from modules.contacts.services.companies import create_company, delete_company, update_company
from modules.contacts.services.contacts import create_contact, delete_contact, update_contact
from modules.contacts.services.tags import tags_from_names
from modules.contacts.views.common import assignable_owners, contacts_view, current_user, sales_visible
from modules.home.recent import remember_visit


@dataclass(frozen=True)
class RecordType:
    key: str  # "company" | "contact"
    spec: ListSpec
    entity: str
    title: str | Promise
    columns: tuple[tuple[str, str | Promise, str | None], ...]  # (key, label, sort field or None)
    visible: Callable[[User], QuerySet[Any]]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"contacts:{self.key}-{name}", args=args)


COMPANY = RecordType(
    key="company",
    spec=COMPANY_LIST,
    entity=SavedViewEntity.COMPANY,
    title=gettext_lazy("Companies"),
    columns=(
        ("name", gettext_lazy("Name"), "name"),
        ("city", gettext_lazy("City"), None),
        ("lifecycle_stage", gettext_lazy("Stage"), None),
        ("owner", gettext_lazy("Owner"), None),
        ("tags", gettext_lazy("Tags"), None),
        ("updated_at", gettext_lazy("Updated"), None),
    ),
    visible=visible_companies,
    create=create_company,
    update=update_company,
    delete=delete_company,
)
CONTACT = RecordType(
    key="contact",
    spec=CONTACT_LIST,
    entity=SavedViewEntity.CONTACT,
    title=gettext_lazy("Contacts"),
    columns=(
        ("full_name", gettext_lazy("Name"), "full_name"),
        ("company", gettext_lazy("Company"), None),
        ("email", gettext_lazy("E-mail"), None),
        ("lifecycle_stage", gettext_lazy("Stage"), None),
        ("owner", gettext_lazy("Owner"), None),
        ("tags", gettext_lazy("Tags"), None),
        ("updated_at", gettext_lazy("Updated"), "updated_at"),
    ),
    visible=visible_contacts,
    create=create_contact,
    update=update_contact,
    delete=delete_contact,
)
RECORD_TYPES = {"company": COMPANY, "contact": CONTACT}


def _filters(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET[key] for key in FILTER_KEYS if request.GET.get(key)}


def _querystring(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return urlencode({key: value for key, value in merged.items() if value})


def _saved_views(user: User, entity: str) -> QuerySet[SavedView]:
    return SavedView.objects.filter(Q(owner=user) | Q(is_shared=True), entity=entity).order_by("name", "id")


def record_list(request: HttpRequest, record: RecordType) -> HttpResponse:
    user = current_user(request)
    view_id = request.GET.get("view")
    if view_id:
        saved = get_object_or_404(_saved_views(user, record.entity), pk=view_id if view_id.isdigit() else 0)
        query = {key: saved.query[key] for key in FILTER_KEYS if isinstance(saved.query.get(key), str)}
        query.update(
            {key: value for key, value in saved.query.items() if key.startswith(PREFIX) and isinstance(value, str)}
        )
        if saved.columns:
            query[COLUMNS] = ",".join(str(key) for key in saved.columns)
        return redirect(f"{record.url('list')}?{_querystring(query, saved_view=str(saved.pk))}")
    added = added_filter_query(request.GET)
    if added is not None:
        return redirect(f"{record.url('list')}?{added}")
    custom = read_state(record.key, request.GET)
    params = _filters(request)
    page = list_page(record.spec, user, {**params, "after": request.GET.get("after", "")}, custom=custom)
    params.update(custom.query())
    if custom.columns:
        attach_cells(custom.columns, page.rows, user=user)
    columns = []
    for key, label, sort_field in record.columns:
        link = direction = None
        if sort_field:
            direction = "asc" if page.sort == sort_field else "desc" if page.sort == f"-{sort_field}" else None
            new_sort = f"-{sort_field}" if page.sort == sort_field else sort_field
            link = "?" + _querystring(params, sort=new_sort)
        columns.append({"key": key, "label": label, "link": link, "direction": direction})
    company_filter = None
    if record is CONTACT and params.get("company", "").isdigit():
        company_filter = visible_companies(user).filter(pk=params["company"]).first()
    owners = list(assignable_owners(user))
    context = {
        "record": record,
        "page": page,
        "columns": columns,
        "params": params,
        "querystring": _querystring(params),
        "next_link": "?" + _querystring(params, after=page.next_cursor) if page.next_cursor else None,
        "is_paged": bool(request.GET.get("after")),
        "owners": owners,
        "tags": list(Tag.objects.order_by("name")[:500]),
        "stages": LifecycleStage.choices,
        "saved_views": list(_saved_views(user, record.entity)),
        "current_view": request.GET.get("saved_view", ""),
        "company_filter": company_filter,
        "bulk_form": BulkActionForm(owners=assignable_owners(user)),
        "filters_active": any(key != "sort" for key in params),
        **list_context(custom, params, sort=page.sort),
    }
    return render(request, "contacts/record_list.html", context, status=400 if custom.errors else 200)


@contacts_view("contacts.view")
def company_list(request: HttpRequest) -> HttpResponse:
    return record_list(request, COMPANY)


@contacts_view("contacts.view")
def contact_list(request: HttpRequest) -> HttpResponse:
    return record_list(request, CONTACT)


# --- bulk actions --------------------------------------------------------------------------------


def record_bulk(request: HttpRequest, record: RecordType) -> HttpResponse:
    user = current_user(request)
    form = BulkActionForm(request.POST, owners=assignable_owners(user))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = record.url("list")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(str(error) for error in errors)}")
        return redirect(back)
    action = form.cleaned_data["action"]
    if action == "delete" and not user.has_perm("contacts.delete"):
        raise PermissionDenied(_("Your role does not include “%(permission)s”.") % {"permission": "contacts.delete"})
    ids: list[int] = form.cleaned_data["ids"]
    rows = list(record.visible(user).filter(pk__in=ids).prefetch_related("tags").order_by("pk"))
    if len(rows) != len(ids):
        raise Http404
    try:
        with transaction.atomic():
            if action == "assign_owner":
                for row in rows:
                    record.update(row, by=user, owner=form.cleaned_data["owner"])
            elif action == "add_tag":
                [tag] = tags_from_names([form.cleaned_data["tag"]])
                for row in rows:
                    record.update(row, by=user, tags=[*row.tags.all(), tag])
            else:
                for row in rows:
                    record.delete(row, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("%(count)d records updated.") % {"count": len(rows)})
    return redirect(back)


@contacts_view("contacts.change")
@require_POST
def company_bulk(request: HttpRequest) -> HttpResponse:
    return record_bulk(request, COMPANY)


@contacts_view("contacts.change")
@require_POST
def contact_bulk(request: HttpRequest) -> HttpResponse:
    return record_bulk(request, CONTACT)


# --- saved views ---------------------------------------------------------------------------------


@contacts_view("contacts.view")
@require_POST
def saved_view_save(request: HttpRequest, entity: str) -> HttpResponse:
    record = RECORD_TYPES.get(entity)
    if record is None:
        raise Http404
    user = current_user(request)
    name = " ".join(request.POST.get("name", "").split())[:100]
    query = {key: request.POST[key] for key in FILTER_KEYS if request.POST.get(key)}
    custom = custom_params(request.POST)
    columns = [key for key in custom.pop(COLUMNS, "").split(",") if key]
    query.update(custom)
    if not name:
        messages.error(request, _("Name the view to save it."))
        return redirect(f"{record.url('list')}?{_querystring(query)}")
    saved, _created = SavedView.objects.update_or_create(
        owner=user,
        entity=record.entity,
        name=name,
        defaults={"query": query, "columns": columns, "is_shared": request.POST.get("is_shared") == "on"},
    )
    messages.success(request, _("View “%(name)s” saved.") % {"name": saved.name})
    if columns:
        query[COLUMNS] = ",".join(columns)
    return redirect(f"{record.url('list')}?{_querystring(query, saved_view=str(saved.pk))}")


@contacts_view("contacts.view")
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedView, pk=pk, owner=current_user(request))
    record = RECORD_TYPES.get(saved.entity)
    saved.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": saved.name})
    return redirect(record.url("list") if record else "shell:home")


# --- detail --------------------------------------------------------------------------------------


def _tags() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.order_by("name"))


@contacts_view("contacts.view")
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    company = get_object_or_404(visible_companies(user).select_related("owner").prefetch_related(_tags()), pk=pk)
    contacts = visible_contacts(user).filter(company=company).select_related("owner").order_by("full_name", "id")
    contacts = contacts[:50]
    remember_visit(user, company)
    context: dict[str, Any] = {
        "record": COMPANY,
        "object": company,
        "contacts": list(contacts),
        "deals": None,
        "custom_details": detail_sections(COMPANY.key, company, user=user),
    }
    if sales_visible(request):
        from modules.sales.models import Deal

        deals = restrict_to_visible(Deal.objects.filter(company=company), user).select_related("stage", "owner")
        context["deals"] = list(deals.order_by("-created_at", "-id")[:50])
    return render(request, "contacts/company_detail.html", context)


@contacts_view("contacts.view")
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    contact = get_object_or_404(
        visible_contacts(user).select_related("owner", "company").prefetch_related(_tags()), pk=pk
    )
    remember_visit(user, contact)
    context: dict[str, Any] = {
        "record": CONTACT,
        "object": contact,
        "deals": None,
        "custom_details": detail_sections(CONTACT.key, contact, user=user),
    }
    if sales_visible(request):
        from modules.sales.models import Deal

        deals = restrict_to_visible(Deal.objects.filter(contact=contact), user).select_related("stage", "owner")
        context["deals"] = list(deals.order_by("-created_at", "-id")[:50])
    return render(request, "contacts/contact_detail.html", context)
