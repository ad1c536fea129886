"""The case page's panel of suggested articles: the best matches for the case's subject and
description, each with its link and text ready to insert into the reply.

The page renders a slot that loads the suggestions after it (``knowledge:case-suggestions``, htmx
on load): the search costs three statements and most of the page's time, and an agent reads the
conversation first."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from modules.service.knowledge.selectors.search import suggested_articles
from modules.service.panels import CasePanel, register_case_panel

SUGGESTIONS = 5
# The customer portal's page of one public article (a customer cannot open the staff page): the
# panel offers "Insert link" only once the portal names this route.
PORTAL_ARTICLE_URL = "portal:article"


def portal_article_path(pk: int) -> str | None:
    try:
        return reverse(PORTAL_ARTICLE_URL, args=[pk])
    except NoReverseMatch:
        return None


def slot_context(request: Any, case: Any) -> dict[str, Any] | None:
    """The slot on the case page, for users who may read the knowledge base."""
    if not request.user.has_perm("service.view"):
        return None
    return {"suggestions_url": reverse("knowledge:case-suggestions", args=[case.pk])}


def suggestions_context(request: Any, case: Any) -> dict[str, Any]:
    """The hits for the slot: internal articles are marked, and only public ones are offered for a
    reply the customer reads."""
    text = f"{case.subject} {case.description}"
    hits = suggested_articles(text, limit=SUGGESTIONS)
    links = {hit.article.pk: portal_article_path(hit.article.pk) for hit in hits if hit.article.visibility == "public"}
    return {"knowledge_hits": [(hit, links.get(hit.article.pk)) for hit in hits]}


def register() -> None:
    register_case_panel(
        CasePanel(
            key="knowledge-suggestions",
            template="service/knowledge/case_panel_slot.html",
            place="sidebar",
            position=50,
            context=slot_context,
        )
    )
