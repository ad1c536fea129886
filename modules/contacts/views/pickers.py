"""The searchable pickers' endpoint: visible companies or contacts matching ``q``, as JSON, with
what tells namesakes apart (a contact's e-mail and company, a company's city and e-mail)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse

from core.input_bounds import text_problem
from modules.contacts.selectors.lists import text_match, visible_companies, visible_contacts
from modules.contacts.views.common import contacts_view, current_user
from modules.record_access import page_access

PICKER_SIZE = 20


def _detail(*parts: str | None) -> str:
    return " · ".join(part for part in parts if part)


@contacts_view("contacts.view")
def record_picker(request: HttpRequest, kind: str) -> JsonResponse:
    user = current_user(request)
    q = request.GET.get("q", "").strip()[:100]
    if kind not in ("company", "contact"):
        raise Http404
    if not q or text_problem(q):
        return JsonResponse({"results": []})
    if kind == "company":
        companies = text_match(visible_companies(user), "name", q, substring=True).order_by("name", "id")
        results = [
            {"id": company.pk, "label": company.name, "detail": _detail(company.city, company.email)}
            for company in companies[:PICKER_SIZE]
        ]
    else:
        access = page_access(request)
        contacts = text_match(visible_contacts(user), "full_name", q, substring=True).select_related("company")
        results = []
        for contact in contacts.order_by("full_name", "id")[:PICKER_SIZE]:
            company = access.shown(contact.company) if contact.company_id else None
            results.append(
                {
                    "id": contact.pk,
                    "label": str(contact),
                    "detail": _detail(contact.email, getattr(company, "name", "")),
                }
            )
    return JsonResponse({"results": results})
