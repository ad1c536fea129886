"""The generic list pages: the list itself, its bulk actions and its saved views. A module's view
(which owns the sign-in, plan and view-permission guard) calls these with its ListDefinition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.input_bounds import text_problem
from core.localized_dates import format_hint
from customization.fields.display import attach_cells
from customization.fields.listing import (
    COLUMNS,
    PREFIX,
    ListState,
    added_filter_query,
    custom_params,
    read_state,
    sorted_page,
)
from customization.fields.listing import list_context as custom_list_context
from identity.decorators import require_permission, signed_in_user
from identity.forms import form_status
from identity.models import User
from modules.contacts.models import SavedView
from modules.lists.actions import BulkFailure, action_form, actions_for, run_all_or_nothing
from modules.lists.definition import Cell, Column, Filter, ListDefinition, extended, registered_narrowings
from modules.lists.inline import attach_inline, can_edit_cells, editable_fields
from modules.lists.paging import PAGE_SIZE, Count, capped_count, keyset_page
from modules.lists.services import delete_view, save_view, views_for

CARRIED = ("after", "cursor", "page")


def _query(params: Mapping[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return urlencode({key: value for key, value in merged.items() if value})


def list_params(definition: ListDefinition, data: Mapping[str, Any]) -> dict[str, str]:
    """The built-in filters and the sort in ``data`` (unknown keys dropped)."""
    keys = (*definition.filter_keys, "sort")
    return {key: str(data.get(key)) for key in keys if data.get(key)}


def _sort(definition: ListDefinition, requested: str) -> tuple[str, str, bool]:
    """(sort parameter, ORM path, descending) for ``requested``, the default when unknown."""
    key = requested.lstrip("-")
    if key not in definition.sorts:
        requested = definition.default_sort
        key = requested.lstrip("-")
    return requested, definition.sorts[key], requested.startswith("-")


def _chosen_columns(definition: ListDefinition, data: Any) -> list[Column]:
    getlist = getattr(data, "getlist", None)
    raw = getlist(COLUMNS) if getlist else [data.get(COLUMNS) or ""]
    chosen = {key.strip() for value in raw for key in str(value).split(",") if key.strip()}
    picked = [column for column in definition.columns if column.key in chosen]
    first = definition.columns[0]
    if not picked:
        return [column for column in definition.columns if column.default]
    return picked if first in picked else [first, *picked]


def _filter_control(control: Filter, params: Mapping[str, str], user: User) -> dict[str, Any]:
    options = [(str(value), label) for value, label in control.options(user)] if control.options else None
    # "localdate": typed in the reader's date format (core.localized_dates), never the browser's.
    placeholder = format_hint() if control.input_type == "localdate" else control.placeholder
    return {"control": control, "value": params.get(control.key, ""), "options": options, "placeholder": placeholder}


def narrow(
    definition: ListDefinition, queryset: QuerySet[Any], data: Mapping[str, Any], user: User
) -> tuple[QuerySet[Any], list[dict[str, Any]]]:
    """``queryset`` narrowed by the registered narrowings present in ``data`` (``?cell=``), and
    what each narrowing shows (its parameter, value and label)."""
    narrowed: list[dict[str, Any]] = []
    for narrowing in registered_narrowings():
        value = data.get(narrowing.param)
        if not value:
            continue
        ids, label = narrowing.narrow(definition.key, str(value), user)
        queryset = queryset.filter(pk__in=ids)
        narrowed.append({"param": narrowing.param, "value": str(value), "label": label})
    return queryset, narrowed


def _pick_saved_view(request: HttpRequest, definition: ListDefinition, view_id: str) -> HttpResponse:
    saved = get_object_or_404(
        views_for(signed_in_user(request), definition.key), pk=int(view_id) if view_id.isdigit() else 0
    )
    stored = saved.query if isinstance(saved.query, dict) else {}
    query = list_params(definition, stored)
    query.update({key: value for key, value in stored.items() if key.startswith(PREFIX) and isinstance(value, str)})
    if saved.columns:
        query[COLUMNS] = ",".join(str(key) for key in saved.columns)
    return redirect(f"{definition.url('list')}?{_query(query, saved_view=str(saved.pk))}")


def list_page(
    request: HttpRequest,
    definition: ListDefinition,
    *,
    extra_context: dict[str, Any] | None = None,
    template: str = "lists/list.html",
) -> HttpResponse:
    """The list's page; ``template`` extends ``lists/list.html`` when the page shows more (a form's
    figures above its submissions)."""
    context = list_context(request, definition)
    if isinstance(context, HttpResponse):
        return context
    status = context.pop("_status")
    return render(request, template, {**context, **(extra_context or {})}, status=status)


def list_context(request: HttpRequest, definition: ListDefinition) -> dict[str, Any] | HttpResponse:
    """What ``lists/includes/records.html`` shows (filters, saved views, the page of rows, bulk
    bar), for a page that embeds a list among its own content (a send's recipients); or the
    response to return instead (a saved view picked, a bad parameter)."""
    user = signed_in_user(request)
    definition = extended(definition, user)
    if request.GET.get("view"):
        return _pick_saved_view(request, definition, request.GET["view"])
    for search in request.GET.getlist("q"):
        problem = text_problem(search)
        if problem:  # PostgreSQL cannot compare text holding NUL: say so rather than fail
            return HttpResponseBadRequest(f"q: {problem}")
    added = added_filter_query(request.GET)
    if added is not None:
        return redirect(f"{definition.url('list')}?{added}")
    custom = read_state(definition.key, request.GET) if definition.custom_fields else ListState(definitions=[])
    params = list_params(definition, request.GET)
    columns = _chosen_columns(definition, request.GET)
    queryset = custom.apply(definition.apply_filters(definition.rows(user), params, user))
    try:
        queryset, narrowed = narrow(definition, queryset, request.GET, user)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(f"{key}: {' '.join(msgs)}" for key, msgs in error.message_dict.items()))
    queryset = queryset.prefetch_related(*(column.prefetch for column in columns if column.prefetch))
    after = request.GET.get("after") or ""
    if custom.sort is not None:
        rows, cursor = sorted_page(queryset, custom, after, size=PAGE_SIZE)
        sort = str(custom.sort_param)
    else:
        sort, path, descending = _sort(definition, params.get("sort", ""))
        page = keyset_page(queryset, path, descending=descending, cursor=after, sort=sort)
        rows, cursor = page.rows, page.next_cursor
    # A first page that holds every row is its own count; otherwise one capped count query.
    count = Count(value=len(rows), capped=False) if not after and cursor is None else capped_count(queryset)
    if custom.columns:
        attach_cells(custom.columns, rows, user=user)
    chosen_keys = [column.key for column in columns]
    state = {**params, **custom.query(), **{item["param"]: item["value"] for item in narrowed}}
    if columns != [column for column in definition.columns if column.default]:
        state[COLUMNS] = ",".join([*chosen_keys, *(definition.key for definition in custom.columns)])
    for row in rows:
        row.list_cells = [
            Cell(column=column, value=column.value_of(row), url=column.url(row) if column.url else None)
            for column in columns
        ]
    if can_edit_cells(definition, user):
        attach_inline(definition, rows, editable_fields(definition, columns), user=user)
    headers = []
    for column in columns:
        link = direction = None
        if column.sort:
            direction = "asc" if sort == column.sort else "desc" if sort == f"-{column.sort}" else None
            link = "?" + _query(state, sort=f"-{column.sort}" if direction == "asc" else column.sort)
        headers.append({"column": column, "link": link, "direction": direction})
    saved_views = list(views_for(user, definition.key))
    for saved in saved_views:
        saved.delete_url = definition.url("view-delete", saved.pk) if saved.owner_id == user.pk else None  # type: ignore[attr-defined]
    actions = actions_for(definition, user)
    action_fields: dict[str, dict[str, Any]] = {}
    for action in actions:
        form = action_form(action, definition, user)
        for name in form.fields:
            entry = action_fields.setdefault(name, {"field": form[name], "actions": []})
            entry["actions"].append(action.key)
    context = {
        "definition": definition,
        "rows": rows,
        **({definition.rows_name: rows} if definition.rows_name else {}),
        "count": count,
        "headers": headers,
        "columns": columns,
        "all_columns": [(column, column.key in chosen_keys) for column in definition.columns],
        "params": state,
        "querystring": _query(state),
        # A list of one parent's rows exports with the parent named (``?parent=``).
        "export_query": _query(state, parent=str(definition.url_args[0]) if definition.url_args else None),
        "next_link": "?" + _query(state, after=cursor) if cursor else None,
        "is_paged": bool(after),
        "filters": [_filter_control(control, params, user) for control in definition.filters],
        "hidden_params": {
            **{key: params[key] for key in definition.hidden_filters if key in params},
            **{item["param"]: item["value"] for item in narrowed},
        },
        "narrowed": [{**item, "remove": "?" + _query(state, **{item["param"]: None})} for item in narrowed],
        "filters_active": any(key != "sort" for key in params) or bool(custom.filters) or bool(narrowed),
        "saved_views": saved_views,
        "bulk_url": definition.url("bulk") if actions else "",  # a list without actions has no bulk route
        "current_view": request.GET.get("saved_view", ""),
        "actions": actions,
        "action_fields": [
            {"name": name, "field": entry["field"], "actions": " ".join(entry["actions"])}
            for name, entry in action_fields.items()
        ],
        "can_select": bool(actions),
        "save_view_url": definition.url("view-save"),
        **custom_list_context(custom, state, sort=sort),
        "_status": form_status(custom),
    }
    return context


def _back(request: HttpRequest, definition: ListDefinition) -> str:
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return definition.url("list")


def bulk(request: HttpRequest, definition: ListDefinition) -> HttpResponse:
    """Run the chosen action on every selected row, all or nothing. A row outside the user's
    visibility makes the whole request a 404; an action the role lacks, a 403."""
    user = signed_in_user(request)
    require_permission(request, definition.change_permission)
    back = _back(request, definition)
    key = request.POST.get("action", "")
    action = next((action for action in actions_for(definition, user) if action.key == key), None)
    if action is None:
        if key == "delete":
            require_permission(request, definition.delete_permission)
        messages.error(request, _("Action: choose one of the list's actions."))
        return redirect(back)
    try:
        ids = sorted({int(value) for value in request.POST.getlist("ids") if str(value).strip()})
    except ValueError:
        ids = []
    if not ids:
        messages.error(request, _("Selected rows: select rows from the list."))
        return redirect(back)
    form = action_form(action, definition, user, request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}: {' '.join(str(error) for error in errors)}")
        return redirect(back)
    selected = definition.rows(user).filter(pk__in=ids).order_by("pk")
    rows = list(selected.prefetch_related("tags") if definition.has_tags else selected)
    if len(rows) != len(ids):
        raise Http404
    try:
        count = run_all_or_nothing(rows, lambda row: action.run(definition, row, form.cleaned_data, user))
    except BulkFailure as failure:
        messages.error(request, " ".join(failure.messages))
        return redirect(back)
    messages.success(
        request, ngettext("%(count)d record changed.", "%(count)d records changed.", count) % {"count": count}
    )
    return redirect(back)


def save_saved_view(request: HttpRequest, definition: ListDefinition) -> HttpResponse:
    """Save the list's current filters, sort and columns under a name (the form posts them as
    fields or as one ``query`` string)."""
    user = signed_in_user(request)
    definition = extended(definition, user)
    data: Any = QueryDict(request.POST["query"]) if "query" in request.POST else request.POST
    query = list_params(definition, data)
    custom = custom_params(data)
    columns = [key for key in custom.pop(COLUMNS, "").split(",") if key]
    query.update(custom)
    try:
        saved = save_view(
            owner=user,
            entity=definition.key,
            name=request.POST.get("name", ""),
            query=query,
            columns=columns,
            is_shared=request.POST.get("is_shared") in ("on", "true", "1"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{definition.url('list')}?{_query(query)}")
    messages.success(request, _("View “%(name)s” saved.") % {"name": saved.name})
    if columns:
        query[COLUMNS] = ",".join(columns)
    return redirect(f"{definition.url('list')}?{_query(query, saved_view=str(saved.pk))}")


def delete_saved_view(request: HttpRequest, pk: int, *definitions: ListDefinition) -> HttpResponse:
    """Delete one of the user's own views of these lists (another user's, even shared, is a 404)."""
    user = signed_in_user(request)
    by_key = {definition.key: definition for definition in definitions}
    saved = get_object_or_404(SavedView, pk=pk, owner=user, entity__in=list(by_key))
    delete_view(saved, by=user)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": saved.name})
    return redirect(by_key[saved.entity].url("list"))
