"""Cards other modules add to the company, contact, lead and deal pages (the marketing score), loaded
by htmx from the module's own URL so the page's view neither imports the module nor pays for the
card's queries. A module registers its card from its AppConfig.ready(); ``visible(request)`` says
whether the reader gets it (the module in the plan, the permission), and the card's own view
checks again, with the record's visibility."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class RecordCard:
    key: str
    subjects: tuple[str, ...]  # "company", "contact", "lead", "deal"
    url_name: str  # reversed with (subject, pk)
    visible: Callable[[HttpRequest], bool]


_CARDS: dict[str, RecordCard] = {}


def register_record_card(card: RecordCard) -> None:
    _CARDS[card.key] = card


def record_cards(subject: str, request: HttpRequest) -> list[RecordCard]:
    return [card for card in _CARDS.values() if subject in card.subjects and card.visible(request)]
