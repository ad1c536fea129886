"""Reading the knowledge base: the home page (categories, search, recent and draft articles), an
article with its rating buttons, and the JSON suggestions for a case being written."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.input_bounds import text_problem
from identity.decorators import signed_in_user
from modules.service.knowledge.choices import ArticleStatus, Visibility
from modules.service.knowledge.forms import SearchForm
from modules.service.knowledge.models import Article, ArticleRating, KnowledgeCategory
from modules.service.knowledge.panels import portal_article_path, suggestions_context
from modules.service.knowledge.selectors.search import (
    MAX_QUERY,
    readable_articles,
    search_articles,
    suggested_articles,
)
from modules.service.knowledge.services.articles import rate_article, record_view
from modules.service.knowledge.views import knowledge_page, may_publish
from modules.service.selectors.cases import visible_cases

RECENT = 20
SEARCH_RESULTS = 20
SUGGESTIONS = 5


@knowledge_page("service.view")
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    hits = None
    if form.is_bound and form.is_valid():
        language = form.cleaned_data["language"] or None
        try:
            hits = search_articles(form.cleaned_data["q"], public_only=False, language=language, limit=SEARCH_RESULTS)
        except ValidationError as error:
            form.add_error("q", error.message_dict.get("q", error.messages))
            hits = None
        if hits is not None and not form.cleaned_data["q"].strip():
            hits = None
    published = Count("articles", filter=Q(articles__status=ArticleStatus.PUBLISHED))
    categories = KnowledgeCategory.objects.select_related("parent").annotate(published=published)
    recent = readable_articles(public_only=False).select_related("category")
    chosen = form.cleaned_data.get("category") if form.is_bound and not form.errors else None
    if chosen is not None:
        recent = recent.filter(category=chosen)
    drafts = None
    if request.user.has_perm("service.change"):
        drafts = Article.objects.filter(status=ArticleStatus.DRAFT).select_related("category")[:RECENT]
    recent = recent.order_by("-published_at", "-pk")[:RECENT]
    context = {
        "form": form, "hits": hits, "categories": categories, "recent": recent, "chosen_category": chosen,
        "drafts": drafts,
    }  # fmt: skip
    return render(request, "service/knowledge/home.html", context, status=400 if form.errors else 200)


def readable_article(request: HttpRequest, pk: int) -> Article:
    """A published article for readers; drafts and archived ones for the users who write them."""
    article = get_object_or_404(Article.objects.select_related("category", "created_by"), pk=pk)
    if article.status != ArticleStatus.PUBLISHED and not request.user.has_perm("service.change"):
        raise Http404
    return article


@knowledge_page("service.view")
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = readable_article(request, pk)
    user = signed_in_user(request)
    if article.is_published:
        record_view(article)
    counts = article.ratings.aggregate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
    mine = ArticleRating.objects.filter(article=article, user=user).values_list("helpful", flat=True).first()
    translations = (
        Article.objects.filter(translation_group=article.translation_group).exclude(pk=article.pk).order_by("language")
    )
    context = {
        "article": article, "counts": counts, "my_rating": mine, "translations": translations,
        "may_publish": may_publish(user),
    }  # fmt: skip
    return render(request, "service/knowledge/article.html", context)


@knowledge_page("service.view")
@require_POST
def article_rate(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk, status=ArticleStatus.PUBLISHED)
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return HttpResponse(_("helpful: answer yes or no."), status=400, content_type="text/plain; charset=utf-8")
    rate_article(article, helpful=helpful == "yes", user=signed_in_user(request))
    messages.success(request, _("Thank you: your rating is saved."))
    return redirect("knowledge:article", pk=article.pk)


@knowledge_page("service.view")
@require_GET
def case_suggestions(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The case page's suggested articles (loaded into its sidebar slot): a case the user cannot
    see is a 404."""
    case = get_object_or_404(visible_cases(signed_in_user(request)), pk=case_pk)
    context = {**suggestions_context(request, case), "case": case}
    return render(request, "service/knowledge/case_panel.html", context)


@knowledge_page("service.view")
@require_GET
def suggestions(request: HttpRequest) -> JsonResponse:
    """``?text=`` (a case's subject and description): the best matching published articles, as
    JSON. ``?public=1`` keeps to public articles (for a reply the customer reads)."""
    text = request.GET.get("text", "")
    public_only = request.GET.get("public", "") in ("1", "true")
    if len(text) > MAX_QUERY * 10:
        return _problem("text", _("Send at most %(max)d characters.") % {"max": MAX_QUERY * 10})
    problem = text_problem(text)
    if problem:
        return _problem("text", problem)
    hits = suggested_articles(text, public_only=public_only, limit=SUGGESTIONS)
    results = [
        {
            "id": hit.article.pk,
            "title": hit.article.title,
            "language": hit.article.language,
            "visibility": hit.article.visibility,
            "url": request.build_absolute_uri(reverse("knowledge:article", args=[hit.article.pk])),
            # The customer's address of a public article, once the portal serves one (else null).
            "portal_url": _portal_url(request, hit.article),
            "snippet": str(hit.snippet),
            "text": hit.article.body_text,
        }
        for hit in hits
    ]
    return JsonResponse({"results": results})


def _portal_url(request: HttpRequest, article: Article) -> str | None:
    path = portal_article_path(article.pk) if article.visibility == Visibility.PUBLIC else None
    return request.build_absolute_uri(path) if path else None


def _problem(field: str, message: str) -> JsonResponse:
    return JsonResponse({"errors": {field: [message]}}, status=400)
