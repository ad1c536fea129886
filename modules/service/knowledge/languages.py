"""The languages articles are written in and the PostgreSQL text search configuration of each.

An article's words are stemmed with its language's Snowball dictionary, so "factures" finds
"facture" and "Rechnungen" finds "Rechnung". Where PostgreSQL ships no stemmer (Polish) the
article is indexed with ``simple`` (words lower-cased, not stemmed) and the search's trigram
fallback finds the other forms of a word. The configuration is stored on each row (a ``regconfig``
column) because a generated ``tsvector`` column may only use immutable expressions, and a name
looked up as text is not one."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# IETF tag → PostgreSQL text search configuration (pg_catalog), for every language an article may
# be written in: the tenant's interface languages (settings.LANGUAGES) and other common ones.
SEARCH_CONFIGS: dict[str, str] = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "ro": "romanian",
    "ru": "russian",
    "pl": "simple",
    # Snowball's Serbian stemmer reads Latin and Cyrillic script alike.
    "sr-latn": "serbian",
}
SIMPLE = "simple"

_EXTRA_NAMES = {
    "de": _("German"),
    "es": _("Spanish"),
    "it": _("Italian"),
    "pt": _("Portuguese"),
    "nl": _("Dutch"),
}


def article_languages() -> list[tuple[str, str]]:
    """(code, name) of the languages an article may be written in: the interface languages first."""
    interface = [(code, str(name)) for code, name in settings.LANGUAGES]
    known = {code for code, _name in interface}
    return interface + [(code, str(name)) for code, name in _EXTRA_NAMES.items() if code not in known]


def search_config(language: str) -> str:
    """The text search configuration of ``language`` (``simple`` for any other)."""
    return SEARCH_CONFIGS.get(language, SIMPLE)


def search_configs() -> list[str]:
    """Every configuration an article may be indexed with, each once (in a stable order)."""
    return sorted(set(SEARCH_CONFIGS.values()))


def is_stemmed(language: str) -> bool:
    return search_config(language) != SIMPLE
