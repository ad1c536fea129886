"""The blocks of a marketing e-mail's content: their shape (checked when the e-mail is saved), their
MJML and their plain-text rendering.

A block is a JSON object with a ``type``: ``heading`` (text, level, align), ``text`` (rich text,
sanitised with nh3 to a small allow-list), ``image`` (https ``src``, ``alt``, optional ``href``
and ``width``), ``button`` (label, href, colour, align), ``divider``, ``spacer`` (height),
``columns`` (``left`` and ``right`` lists of the simple blocks) and ``footer`` (optional extra
text; the unsubscribe link and the sender's postal address are always added, so every marketing
e-mail carries them even when the writer removed the block)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from modules.marketing.email.merge import FIELD

MAX_BLOCKS = 100
MAX_COLUMN_BLOCKS = 20
MAX_TEXT = 20_000
MAX_SHORT = 500
MAX_URL = 2_000
SIMPLE_TYPES = ("heading", "text", "image", "button", "divider", "spacer")
TYPES = (*SIMPLE_TYPES, "columns", "footer")
ALIGNS = ("left", "center", "right")
DEFAULT_COLOUR = "#2563eb"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_LINK = re.compile(r"^(https?://[^\s<>\"]+|mailto:[^\s<>\"]+)$", re.IGNORECASE)
_HTTPS = re.compile(r"^https://[^\s<>\"]+$", re.IGNORECASE)
TEXT_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li", "span", "h2", "h3", "blockquote"}
URL_SCHEMES = {"http", "https", "mailto"}


def _is_field_url(value: str) -> bool:
    """A link that is wholly a merge field (``{{ unsubscribe_url }}``): it becomes an URL when filled."""
    return bool(FIELD.fullmatch(value.strip()))


def clean_text_html(value: str) -> str:
    """Rich text reduced to the allow-list; links keep only http(s) and mailto targets (or a merge
    field standing for one, which nh3 keeps as a relative link)."""
    return nh3.clean(
        value,
        tags=TEXT_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}},
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    ).strip()


class _Checker:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def text(
        self, block: dict[str, Any], key: str, path: str, *, limit: int = MAX_SHORT, required: bool = False
    ) -> str:
        value = block.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(f"{path}.{key}", _("Enter text."))
            return ""
        problem = text_problem(value)
        if problem:
            self.fail(f"{path}.{key}", problem)
        if len(value) > limit:
            self.fail(f"{path}.{key}", _("Enter at most %(limit)d characters.") % {"limit": limit})
        if required and not value.strip():
            self.fail(f"{path}.{key}", _("This field is required."))
        return value

    def url(self, block: dict[str, Any], key: str, path: str, *, https: bool, required: bool) -> str:
        value = self.text(block, key, path, limit=MAX_URL, required=required).strip()
        if not value or _is_field_url(value):
            return value
        bare = FIELD.sub("x", value)  # a merge field inside the address stands for URL-safe text
        if https and not _HTTPS.match(bare):
            self.fail(f"{path}.{key}", _("Enter an https:// address (mail programs block other images)."))
        elif not https and not _LINK.match(bare):
            self.fail(f"{path}.{key}", _("Enter an http(s):// or mailto: address."))
        return value

    def number(self, block: dict[str, Any], key: str, path: str, low: int, high: int, default: int) -> int:
        value = block.get(key, default)
        if value in ("", None):
            return default
        if isinstance(value, bool) or not isinstance(value, int | str):
            self.fail(f"{path}.{key}", _("Enter a whole number."))
            return default
        try:
            number = int(value)
        except ValueError:
            self.fail(f"{path}.{key}", _("Enter a whole number."))
            return default
        if not low <= number <= high:
            self.fail(f"{path}.{key}", _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high})
        return number

    def choice(self, block: dict[str, Any], key: str, path: str, choices: tuple[str, ...], default: str) -> str:
        value = block.get(key) or default
        if value not in choices:
            self.fail(f"{path}.{key}", _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
            return default
        return str(value)

    def block(self, block: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(block, dict) or block.get("type") not in allowed:
            self.fail(f"{path}.type", _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
            return {}
        kind = block["type"]
        if kind == "heading":
            return {
                "type": kind, "text": self.text(block, "text", path, required=True),
                "level": self.number(block, "level", path, 1, 3, 1),
                "align": self.choice(block, "align", path, ALIGNS, "left"),
            }  # fmt: skip
        if kind == "text":
            return {"type": kind, "html": clean_text_html(self.text(block, "html", path, limit=MAX_TEXT))}
        if kind == "image":
            return {
                "type": kind, "src": self.url(block, "src", path, https=True, required=True),
                "alt": self.text(block, "alt", path),
                "href": self.url(block, "href", path, https=False, required=False),
                "width": self.number(block, "width", path, 16, 600, 600),
            }  # fmt: skip
        if kind == "button":
            colour = self.text(block, "colour", path, limit=7) or DEFAULT_COLOUR
            if not _COLOUR.match(colour):
                self.fail(f"{path}.colour", _("Enter a colour as #rrggbb."))
            return {
                "type": kind, "label": self.text(block, "label", path, limit=200, required=True),
                "href": self.url(block, "href", path, https=False, required=True), "colour": colour,
                "align": self.choice(block, "align", path, ALIGNS, "center"),
            }  # fmt: skip
        if kind == "divider":
            return {"type": kind}
        if kind == "spacer":
            return {"type": kind, "height": self.number(block, "height", path, 4, 120, 24)}
        if kind == "columns":
            return {"type": kind, "left": self.column(block, "left", path), "right": self.column(block, "right", path)}
        return {"type": kind, "text": self.text(block, "text", path, limit=2_000)}

    def column(self, block: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
        items = block.get(key) or []
        if not isinstance(items, list) or len(items) > MAX_COLUMN_BLOCKS:
            self.fail(f"{path}.{key}", _("A column holds at most %(limit)d blocks.") % {"limit": MAX_COLUMN_BLOCKS})
            return []
        return [self.block(item, f"{path}.{key}[{index}]", SIMPLE_TYPES) for index, item in enumerate(items)]


def clean_blocks(content: Any) -> list[dict[str, Any]]:
    """``content`` checked and normalised (unknown keys dropped, rich text sanitised); raises a
    ValidationError keyed ``content[<i>].<key>`` naming the faulty block's field."""
    if not isinstance(content, list):
        raise ValidationError({"content": [_("The content must be a list of blocks.")]})
    if len(content) > MAX_BLOCKS:
        raise ValidationError({"content": [_("An e-mail holds at most %(limit)d blocks.") % {"limit": MAX_BLOCKS}]})
    checker = _Checker()
    blocks = [checker.block(block, f"content[{index}]", TYPES) for index, block in enumerate(content)]
    if sum(1 for block in blocks if block.get("type") == "footer") > 1:
        checker.fail("content", _("An e-mail has one footer."))
    if checker.errors:
        raise ValidationError(checker.errors)
    return blocks


def texts_of(blocks: list[dict[str, Any]]) -> Iterator[str]:
    """Every string of the blocks (where merge fields may be)."""
    for block in blocks:
        for key, value in block.items():
            if isinstance(value, str) and key != "type":
                yield value
            elif isinstance(value, list):
                yield from texts_of(value)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def block_mjml(block: dict[str, Any], swap: Callable[[str], str]) -> str:
    """One simple block as MJML content of a column; ``swap`` replaces merge fields by placeholders."""
    kind = block.get("type")
    if kind == "heading":
        size = {1: 28, 2: 22, 3: 18}.get(int(block.get("level") or 1), 28)
        return (
            f'<mj-text align="{_attr(block.get("align") or "left")}" font-size="{size}px" font-weight="700" '
            f'line-height="1.25">{html.escape(swap(block.get("text", "")))}</mj-text>'
        )
    if kind == "text":
        return f'<mj-text font-size="16px" line-height="1.5">{clean_text_html(swap(block.get("html", "")))}</mj-text>'
    if kind == "image":
        href = f' href="{_attr(swap(block["href"]))}"' if block.get("href") else ""
        return (
            f'<mj-image src="{_attr(swap(block.get("src", "")))}" alt="{_attr(swap(block.get("alt", "")))}"'
            f' width="{int(block.get("width") or 600)}px"{href} />'
        )
    if kind == "button":
        colour = _attr(block.get("colour") or DEFAULT_COLOUR)
        return (
            f'<mj-button href="{_attr(swap(block.get("href", "")))}" background-color="{colour}"'
            f' align="{_attr(block.get("align") or "center")}">{html.escape(swap(block.get("label", "")))}</mj-button>'
        )
    if kind == "divider":
        return '<mj-divider border-width="1px" border-color="#e5e7eb" />'
    if kind == "spacer":
        return f'<mj-spacer height="{int(block.get("height") or 24)}px" />'
    return ""


def html_to_text(value: str) -> str:
    """Rich text as plain text: paragraphs and list items on their own lines, links as "text (url)"."""
    value = re.sub(r'<a\b[^>]*href="([^"]*)"[^>]*>(.*?)</a>', r"\2 (\1)", value, flags=re.IGNORECASE | re.DOTALL)
    value = re.sub(r"<br\s*/?>", "\n", value, flags=re.IGNORECASE)
    value = re.sub(r"</(p|li|h2|h3|blockquote)>", "\n", value, flags=re.IGNORECASE)
    value = re.sub(r"<li\b[^>]*>", "- ", value, flags=re.IGNORECASE)
    value = html.unescape(re.sub(r"<[^>]+>", "", value))
    return "\n".join(line.strip() for line in value.splitlines() if line.strip())


def block_text(block: dict[str, Any], swap: Callable[[str], str]) -> str:
    kind = block.get("type")
    if kind == "heading":
        return swap(block.get("text", ""))
    if kind == "text":
        return html_to_text(clean_text_html(swap(block.get("html", ""))))
    if kind == "image":
        alt = swap(block.get("alt", ""))
        return f"{alt} ({swap(block['href'])})" if block.get("href") and alt else alt
    if kind == "button":
        return f"{swap(block.get('label', ''))}: {swap(block.get('href', ''))}"
    if kind == "divider":
        return "-" * 20
    if kind == "columns":
        parts = [block_text(item, swap) for item in [*block.get("left", []), *block.get("right", [])]]
        return "\n\n".join(part for part in parts if part)
    return ""
