"""Writing articles: the editor (save the draft, publish, archive), the version history with
restore, and the translations of an article."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.service.knowledge.forms import ArticleForm
from modules.service.knowledge.languages import article_languages
from modules.service.knowledge.models import Article, ArticleVersion
from modules.service.knowledge.services.articles import (
    archive_article,
    create_article,
    publish_article,
    restore_version,
    unpublish_article,
    update_article,
)
from modules.service.knowledge.views import knowledge_page, may_publish, require_publisher


def _initial(article: Article) -> dict[str, Any]:
    return {
        "draft_title": article.draft_title, "draft_body": article.draft_body, "language": article.language,
        "category": article.category_id, "visibility": article.visibility,
    }  # fmt: skip


def _save(request: HttpRequest, form: ArticleForm, article: Article | None, source: Article | None) -> Article | None:
    """The draft saved (and published when asked and allowed), or None with the form's errors."""
    user = signed_in_user(request)
    publish = request.POST.get("action") == "publish"
    if publish:
        require_publisher(request)
    try:
        if article is None:
            article = create_article(by=user, translation_of=source, **form.cleaned_data)
        else:
            update_article(article, by=user, **form.cleaned_data)
        if publish:
            publish_article(article, by=user)
    except ValidationError as error:
        apply_service_errors(form, error)
        return None
    if publish:
        messages.success(request, _("The article is published."))
    else:
        messages.success(request, _("The draft is saved."))
    return article


def _editor(request: HttpRequest, form: ArticleForm, article: Article | None, source: Article | None) -> HttpResponse:
    context = {"form": form, "article": article, "source": source, "may_publish": may_publish(request.user)}
    return render(request, "service/knowledge/editor.html", context, status=form_status(form))


@knowledge_page("service.view", "service.change")
def article_new(request: HttpRequest) -> HttpResponse:
    """A new article, or with ``?translation_of=<id>`` a translation of one (same group)."""
    source = None
    raw_source = request.GET.get("translation_of", "")
    if raw_source:
        if not raw_source.isdigit():
            return HttpResponse(_("translation_of: give an article's id."), status=400, content_type="text/plain")
        source = get_object_or_404(Article, pk=int(raw_source))
    initial: dict[str, Any] = {"visibility": "internal", "language": request.LANGUAGE_CODE}
    if source is not None:
        taken = set(
            Article.objects.filter(translation_group=source.translation_group).values_list("language", flat=True)
        )
        free = [code for code, _name in article_languages() if code not in taken]
        initial = {**_initial(source), "language": request.GET.get("language") or (free[0] if free else "")}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        article = _save(request, form, None, source)
        if article is not None:
            return redirect("knowledge:article-edit", pk=article.pk)
    return _editor(request, form, None, source)


@knowledge_page("service.view", "service.change")
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("category"), pk=pk)
    form = ArticleForm(request.POST or None, initial=_initial(article))
    if request.method == "POST" and form.is_valid() and _save(request, form, article, None) is not None:
        return redirect("knowledge:article-edit", pk=article.pk)
    return _editor(request, form, article, None)


@knowledge_page("service.view", "service.change")
@require_POST
def article_status(request: HttpRequest, pk: int) -> HttpResponse:
    """``status=published`` (publish the draft), ``archived`` or ``draft`` (take it back)."""
    require_publisher(request)
    article = get_object_or_404(Article, pk=pk)
    user = signed_in_user(request)
    wanted = request.POST.get("status")
    try:
        if wanted == "published":
            publish_article(article, by=user)
            messages.success(request, _("The article is published."))
        elif wanted == "archived":
            archive_article(article, by=user)
            messages.success(request, _("The article is archived: readers no longer see it."))
        elif wanted == "draft":
            unpublish_article(article, by=user)
            messages.success(request, _("The article is a draft again: readers no longer see it."))
        else:
            return HttpResponse(
                _("status: choose published, archived or draft."), status=400, content_type="text/plain"
            )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
    return redirect("knowledge:article-edit", pk=article.pk)


@knowledge_page("service.view", "service.change")
@require_GET
def article_versions(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    versions = article.versions.select_related("author")
    return render(request, "service/knowledge/versions.html", {"article": article, "versions": versions})


@knowledge_page("service.view", "service.change")
@require_POST
def version_restore(request: HttpRequest, pk: int, version_pk: int) -> HttpResponse:
    version = get_object_or_404(ArticleVersion.objects.select_related("article"), pk=version_pk, article_id=pk)
    restore_version(version, by=signed_in_user(request))
    messages.success(
        request,
        _("Version %(number)d is the draft again; publish it to show it to readers.") % {"number": version.number},
    )
    return redirect("knowledge:article-edit", pk=pk)


@knowledge_page("service.view")
@require_GET
def article_translations(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    translations = list(Article.objects.filter(translation_group=article.translation_group).order_by("language", "pk"))
    taken = {translation.language for translation in translations}
    missing = [(code, name) for code, name in article_languages() if code not in taken]
    names = dict(article_languages())
    rows = [(translation, names.get(translation.language, translation.language)) for translation in translations]
    context = {"article": article, "rows": rows, "missing": missing}
    return render(request, "service/knowledge/translations.html", context)
