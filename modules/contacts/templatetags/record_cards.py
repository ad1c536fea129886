"""``{% record_cards "contact" object.pk %}``: the slots of the cards modules add to a record page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from modules.contacts.record_cards import record_cards as cards_for

register = template.Library()


@register.inclusion_tag("contacts/includes/record_cards.html", takes_context=True)
def record_cards(context: dict[str, Any], subject: str, pk: int) -> dict[str, Any]:
    request = context["request"]
    return {"slots": [(card.key, reverse(card.url_name, args=(subject, pk))) for card in cards_for(subject, request)]}
