"""Merge fields: ``{{ contact.first_name | default: "there" }}`` in a marketing e-mail's subject,
preview text and blocks, filled per recipient.

A field is a contact field, a company field (the contact's company), a custom field of either
(``contact.custom.<key>``), or one of the links every marketing e-mail carries
(``unsubscribe_url``, ``preferences_url``). The optional ``default`` is used when the recipient's
value is empty. An unknown field is refused when the e-mail is saved (the error names it), so a
send never meets one; rendering treats a field it does not know as empty all the same.

Templates are split once into literal parts and fields (``Template``); filling one is a join,
which is what lets a send render 100,000 recipients from one compiled version."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTACT_FIELDS = (
    "first_name", "last_name", "full_name", "email", "phone", "job_title", "department", "street", "city",
    "region", "postal_code", "country",
)  # fmt: skip
COMPANY_FIELDS = ("name", "website", "industry", "phone", "email", "street", "city", "region", "postal_code", "country")
LINK_FIELDS = ("unsubscribe_url", "preferences_url")

# ``{{ name }}`` or ``{{ name | default: "fallback" }}``; a browser-edited attribute may carry the
# quotes as ``&quot;``.
_QUOTE = r'(?:"|&quot;)'
FIELD = re.compile(
    r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_.]{0,80})\s*"
    rf"(?:\|\s*default\s*:\s*{_QUOTE}(?P<default>[^\"{{}}]{{0,200}}?){_QUOTE}\s*)?\}}\}}"
)
_ANY_BRACES = re.compile(r"\{\{.{0,200}?\}\}", re.DOTALL)


@dataclass(frozen=True)
class Field:
    name: str
    default: str

    @classmethod
    def parse(cls, match: re.Match[str]) -> Field:
        return cls(match.group("name"), html.unescape(match.group("default") or ""))


def fields_in(text: str) -> list[Field]:
    return [Field.parse(match) for match in FIELD.finditer(text or "")]


def malformed_in(text: str) -> list[str]:
    """``{{ … }}`` spans that are not a merge field as written (a typo in the syntax)."""
    return [span for span in _ANY_BRACES.findall(text or "") if not FIELD.fullmatch(span)]


def known_names() -> set[str]:
    """Every merge field this tenant's e-mails may use (custom fields read from its definitions)."""
    from customization.fields.models import CustomFieldDefinition

    names = {f"contact.{name}" for name in CONTACT_FIELDS} | {f"company.{name}" for name in COMPANY_FIELDS}
    names |= set(LINK_FIELDS)
    custom = CustomFieldDefinition.objects.filter(entity__in=("contact", "company"), archived_at__isnull=True)
    names |= {f"{entity}.custom.{key}" for entity, key in custom.values_list("entity", "key")}
    return names


def check_fields(texts: Mapping[str, Iterable[str]], known: set[str] | None = None) -> None:
    """Raise a ValidationError naming the unknown or malformed merge field, per form field."""
    known = known_names() if known is None else known
    errors: dict[str, list[str]] = {}
    for form_field, values in texts.items():
        for value in values:
            for span in malformed_in(value):
                message = _('“%(field)s” is not a merge field: write {{ name }} or {{ name | default: "…" }}.')
                errors.setdefault(form_field, []).append(message % {"field": span[:80]})
            for field in fields_in(value):
                if field.name not in known:
                    message = _("Unknown merge field “%(field)s”.")
                    errors.setdefault(form_field, []).append(message % {"field": field.name})
    if errors:
        raise ValidationError({name: sorted(set(messages)) for name, messages in errors.items()})


def value_of(name: str, contact: Any, links: Mapping[str, str]) -> str:
    """The recipient's value of field ``name`` as text ("" when absent)."""
    if name in LINK_FIELDS:
        return links.get(name, "")
    head, _sep, rest = name.partition(".")
    record = contact if head == "contact" else getattr(contact, "company", None) if head == "company" else None
    if record is None:
        return ""
    if rest.startswith("custom."):
        value = (getattr(record, "custom", None) or {}).get(rest[len("custom.") :])
    elif rest in (CONTACT_FIELDS if head == "contact" else COMPANY_FIELDS):
        value = getattr(record, rest, "")
    else:
        return ""
    if value is None or value is False:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


class Template:
    """A text with merge fields replaced by placeholders, split once into parts: literal text at
    even indexes, field indexes at odd ones."""

    def __init__(self, compiled: str, placeholder: re.Pattern[str], fields: list[Field]) -> None:
        self.parts: list[str | int] = []
        for index, piece in enumerate(placeholder.split(compiled)):
            self.parts.append(int(piece) if index % 2 else piece)
        self.fields = fields

    def fill(self, values: list[str], escape: Callable[[str], str] | None = None) -> str:
        if escape is not None:
            values = [escape(value) for value in values]
        return "".join(part if isinstance(part, str) else values[part] for part in self.parts)


class Placeholders:
    """Collects the merge fields of one content version, each replaced by a placeholder that no
    markup step alters (``@@mf-<nonce>-<n>@@``; the nonce keeps a writer from typing one)."""

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce
        self.fields: list[Field] = []
        self._index: dict[Field, int] = {}
        self.pattern = re.compile(rf"@@mf-{re.escape(nonce)}-(\d+)@@")

    def replace(self, text: str) -> str:
        def swap(match: re.Match[str]) -> str:
            field = Field.parse(match)
            if field not in self._index:
                self._index[field] = len(self.fields)
                self.fields.append(field)
            return f"@@mf-{self.nonce}-{self._index[field]}@@"

        return FIELD.sub(swap, text or "")

    def template(self, compiled: str) -> Template:
        return Template(compiled, self.pattern, self.fields)


def field_values(fields: list[Field], contact: Any, links: Mapping[str, str]) -> list[str]:
    values = []
    for field in fields:
        value = value_of(field.name, contact, links)
        values.append(value if value.strip() else field.default)
    return values
