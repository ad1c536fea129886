"""Reading .vcf files as address books write them (vCard 2.1, 3.0 and 4.0), card by card.

vobject reads a whole file or fails, decodes every byte as UTF-8 and does not join 2.1's
quoted-printable soft line breaks, so one Outlook card in Windows-1252 or one broken card used to
refuse a whole address book. This reader works on bytes, line by line, without recursion:

* the file may be UTF-8 (with or without a byte-order mark) or UTF-16 (Windows exports); a line
  that is not UTF-8 is read as Windows-1252, as the Windows programs that write such files do;
* a property's ``CHARSET`` and ``ENCODING=QUOTED-PRINTABLE`` (2.1) are applied, soft line breaks
  joined; ``ENCODING=b``/``BASE64`` values (photos, keys) are dropped;
* folded lines are unfolded, groups (``item1.EMAIL``) and 2.1's bare parameters (``TEL;WORK``)
  read, 3.0/4.0 escapes undone;
* a card nested through ``AGENT`` is kept out of its parent; a card missing its ``END:VCARD`` is
  reported on its own and the next ``BEGIN:VCARD`` starts afresh.

The limit on cards is counted while reading, so an oversized file costs no more than the limit.
"""

from __future__ import annotations

import quopri
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.input_bounds import without_control_characters

MAX_CARDS = 5000
# Property values longer than this are no contact data (photos without ENCODING, pasted files).
MAX_VALUE = 10_000
MAX_CACHED_HEAD = 200


@dataclass
class Property:
    name: str
    params: Mapping[str, tuple[str, ...]]  # read-only: shared by the properties with the same head
    raw: str  # the decoded text, escapes still in place
    group: str = ""  # "item1" of "item1.ADR": Apple labels a value by a property of the same group

    def param(self, name: str) -> str:
        values = self.params.get(name, ())
        return values[0] if values else ""

    @property
    def types(self) -> set[str]:
        return {value.lower() for value in self.params.get("TYPE", ())}

    @property
    def text(self) -> str:
        return _clean(_unescape(self.raw))

    @property
    def parts(self) -> list[str]:
        """A structured value (N, ADR, ORG) split on its unescaped semicolons."""
        return [_clean(_unescape(part)) for part in _split(self.raw, ";")]

    @property
    def preferred(self) -> bool:
        return "pref" in self.types or self.param("PREF") not in ("", "0")


@dataclass
class Card:
    number: int  # 1-based position in the file
    properties: list[Property] = field(default_factory=list)
    problem: str = ""  # why the card cannot be read; empty when it can
    _index: dict[str, list[Property]] | None = field(default=None, repr=False, compare=False)

    def all(self, name: str) -> list[Property]:
        """The card's ``name`` properties, the preferred one first."""
        if self._index is None:
            index: dict[str, list[Property]] = {}
            for prop in self.properties:
                index.setdefault(prop.name, []).append(prop)
            self._index = {
                key: sorted(found, key=lambda prop: not prop.preferred) if len(found) > 1 else found
                for key, found in index.items()
            }
        return self._index.get(name, [])

    def first(self, name: str) -> str:
        found = self.all(name)
        return found[0].text if found else ""


def _clean(text: str) -> str:
    return without_control_characters(text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _split(text: str, separator: str) -> list[str]:
    """``text`` split on ``separator`` where no backslash escapes it."""
    if "\\" not in text:
        return text.split(separator)
    parts, current, escaped = [], [], False
    for character in text:
        if escaped:
            current.append("\\" + character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return parts


_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, escaped = [], False
    for character in text:
        if escaped:
            out.append(_ESCAPES.get(character, "\\" + character))
            escaped = False
        elif character == "\\":
            escaped = True
        else:
            out.append(character)
    return "".join(out)


def _text_of(data: bytes) -> bytes:
    """``data`` as UTF-8 lines: a UTF-16 file (byte-order mark, or the NUL bytes of ASCII in it)
    is re-encoded; a UTF-8 byte-order mark is dropped."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").encode()
    head = data[:64]
    if head[1::2].count(0) > len(head) // 4:
        return data.decode("utf-16-le", errors="replace").encode()
    if head[0::2].count(0) > len(head) // 4:
        return data.decode("utf-16-be", errors="replace").encode()
    return data.removeprefix(b"\xef\xbb\xbf")


def _decode(data: bytes, charset: str) -> str:
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _head_end(line: bytes) -> int:
    """Where the property's name and parameters end (the first colon outside double quotes)."""
    colon = line.find(b":")
    if line.find(b'"', 0, colon) == -1:  # no quoted parameter value: the first colon
        return colon
    quoted = False
    for index, byte in enumerate(line):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x3A and not quoted:
            return index
    return -1


def _is_quoted_printable(line: bytes) -> bool:
    end = _head_end(line)
    return end > 0 and b"QUOTED-PRINTABLE" in line[:end].upper()


def _logical_lines(data: bytes) -> Iterator[bytes]:
    """Physical lines unfolded: a line starting with a space or tab continues the previous one;
    a quoted-printable value ending in ``=`` continues on the next line."""
    current: bytes | None = None
    for line in data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
        if current is not None and current.endswith(b"=") and _is_quoted_printable(current):
            current = current[:-1] + line
            continue
        if current is not None and line[:1] in (b" ", b"\t"):
            current += line[1:]
            continue
        if current is not None:
            yield current
        current = line
    if current is not None:
        yield current


@lru_cache(maxsize=2048)
def _parameters(head: bytes) -> tuple[str, str, Mapping[str, tuple[str, ...]]]:
    """A property's group, name and parameters, from its ``head`` (what precedes the value's
    colon). Cached: an address book repeats a handful of heads (``EMAIL;TYPE=INTERNET;TYPE=WORK``)
    thousands of times, and splitting them was most of the reading's cost; the parameters are
    shared by the properties with the same head, so they are read-only."""
    pieces = _split(head.decode("ascii", errors="replace"), ";")
    group, _dot, name = pieces[0].strip().rpartition(".")  # "item1.EMAIL": EMAIL in group item1
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        key, sep, value = piece.partition("=")
        if not sep:  # 2.1: TEL;WORK;VOICE, and ENCODING/CHARSET given bare
            upper = key.strip().upper()
            if upper in ("QUOTED-PRINTABLE", "BASE64", "B"):
                params.setdefault("ENCODING", []).append(upper)
            else:
                params.setdefault("TYPE", []).append(key.strip())
            continue
        values = [part.strip().strip('"') for part in value.split(",")]
        params.setdefault(key.strip().upper(), []).extend(value for value in values if value)
    return group.lower(), name.upper(), MappingProxyType({key: tuple(values) for key, values in params.items()})


def _property(line: bytes) -> Property | None:
    end = _head_end(line)
    if end <= 0:
        raise ValueError("no colon")
    head = line[:end]
    # Only ordinary heads are kept in the cache: a file of long made-up ones must not fill it.
    group, name, params = _parameters(head) if len(head) <= MAX_CACHED_HEAD else _parameters.__wrapped__(head)
    value = line[end + 1 :]
    encoding = (params.get("ENCODING") or ("",))[0].upper()
    if encoding in ("B", "BASE64"):
        return None
    if encoding == "QUOTED-PRINTABLE":
        value = quopri.decodestring(value)
    if len(value) > MAX_VALUE:
        return None
    charset = (params.get("CHARSET") or ("",))[0]
    return Property(name=name, params=params, raw=_decode(value, charset), group=group)


def read_cards(data: bytes) -> list[Card]:
    """Every card in ``data``, in order; a card that cannot be read carries its ``problem``.
    Raises ValidationError (``file``) when the file holds no card or more than ``MAX_CARDS``."""
    cards: list[Card] = []
    card: Card | None = None
    nested = 0  # depth of AGENT cards inside the current one
    previous = ""
    for line in _logical_lines(_text_of(data)):
        keyword = line.strip().upper()
        if keyword == b"BEGIN:VCARD":
            if card is not None and (nested or previous == "AGENT"):
                nested += 1
                continue
            if card is not None:
                card.problem = card.problem or _("The card has no END:VCARD.")
            if len(cards) == MAX_CARDS:
                raise ValidationError(
                    {"file": [_("At most %(max)d cards can be imported at once.") % {"max": MAX_CARDS}]}
                )
            card = Card(number=len(cards) + 1)
            cards.append(card)
            nested, previous = 0, ""
            continue
        if keyword == b"END:VCARD":
            if nested:
                nested -= 1
                previous = ""
            else:
                card = None
            continue
        if card is None or nested or not line.strip():
            continue
        try:
            prop = _property(line)
        except ValueError:
            card.problem = card.problem or _("A line of the card is malformed: it has no colon.")
            continue
        if prop is not None:
            previous = prop.name
            card.properties.append(prop)
    if card is not None:
        card.problem = card.problem or _("The card has no END:VCARD.")
    if not cards:
        raise ValidationError({"file": [_("This is not a readable vCard file: it holds no BEGIN:VCARD.")]})
    return cards
