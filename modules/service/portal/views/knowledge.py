"""Help articles in the portal: the knowledge base's published public articles only (its portal
selectors), in the visitor's language when there are any, searched with its full-text search, read
and rated by the customer. An internal, draft or archived article is not found (404)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from modules.service.knowledge.selectors.portal import public_article, public_articles, search_public_articles
from modules.service.knowledge.services.articles import rate_article, record_view
from modules.service.portal.services.sign_in import audit_portal
from modules.service.portal.views.base import address, current, portal_page, portal_render

LIST_LIMIT = 50


def _language() -> str | None:
    """The visitor's language when the workspace has public articles in it, else every language."""
    language = (get_language() or "").split("-")[0]
    return language if language and public_articles(language).exists() else None


@require_GET
@portal_page
def article_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    language = _language()
    context: dict[str, object] = {"q": q, "section": "help"}
    status = 200
    if q.strip():
        try:
            context["hits"] = search_public_articles(q, language=language, limit=LIST_LIMIT)
        except ValidationError as error:
            context["q_errors"] = error.message_dict.get("q", error.messages)
            status = 400
    else:
        context["articles"] = list(public_articles(language)[:LIST_LIMIT])
    return portal_render(request, "service/portal/help.html", context, status=status)


@require_GET
@portal_page
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = public_article(pk)
    if article is None:
        raise Http404
    record_view(article)
    context = {"article": article, "rated": request.GET.get("rated") == "1", "section": "help"}
    return portal_render(request, "service/portal/article.html", context)


@require_POST
@portal_page
def article_rate(request: HttpRequest, pk: int) -> HttpResponse:
    article = public_article(pk)
    if article is None:
        raise Http404
    if request.POST.get("helpful") not in ("yes", "no"):
        return HttpResponse("helpful: yes or no.", status=400, content_type="text/plain")
    portal_user = current(request)
    rate_article(article, helpful=request.POST["helpful"] == "yes", contact=portal_user.contact)
    audit_portal(
        "portal.article_rated", f"{portal_user.email}: {article.title}"[:200], portal_user.email,
        ip_address=address(request), article=article.pk,
    )  # fmt: skip
    return redirect(f"{request.path.rsplit('rate/', 1)[0]}?rated=1")
