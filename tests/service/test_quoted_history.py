"""A customer's e-mail keeps its whole text, but the case page shows the new part and folds the
quoted history (its position stored on the message) behind "Show quoted text", a ``<details>``
element: no script, so nothing for the Content-Security-Policy to allow."""

from __future__ import annotations

import re

from core.mail.quoting import html_quote_start
from modules.collaboration.sanitize import clean_note_html
from modules.service.choices import MessageAuthor
from modules.service.services.cases import add_message
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture

GMAIL = (
    '<div dir="ltr">Still broken after the update.</div><br><div class="gmail_quote">'
    '<div dir="ltr" class="gmail_attr">On Mon, 3 Mar 2025 at 10:00, Acme Support &lt;help@acme.example&gt; wrote:<br>'
    '</div><blockquote class="gmail_quote">Please restart the printer.</blockquote></div>'
)
OUTLOOK = (
    "<div><p>Thanks, that worked.</p></div><div><hr><div><b>From:</b> Acme Support &lt;help@acme.example&gt;<br>"
    "<b>Sent:</b> Monday, March 3, 2025 10:00<br><b>Subject:</b> [C-00012] Printer</div>"
    "<div><p>Please restart the printer.</p></div></div>"
)


def test_the_quote_position_is_found_in_the_html_mail_programs_write():
    for html, new in ((GMAIL, "Still broken after the update."), (OUTLOOK, "Thanks, that worked.")):
        cleaned = clean_note_html(html)
        start = html_quote_start(cleaned)
        assert start is not None, cleaned
        assert new in cleaned[:start]
        assert "Please restart the printer." in cleaned[start:]
    assert html_quote_start(clean_note_html("<blockquote>Only a quote</blockquote>")) is None
    assert html_quote_start(clean_note_html("<p>No quote at all.</p>")) is None


def test_the_case_page_folds_the_quoted_history_of_html_and_text_mail(alpha: TenantFixture):
    case = make_case(alpha)
    with alpha.active():
        html_message = add_message(case, by=None, author_kind=MessageAuthor.CUSTOMER, body_html=GMAIL)
        text_message = add_message(
            case, by=None, author_kind=MessageAuthor.CUSTOMER,
            body_text="New part of the text.\n\nOn Monday Acme wrote:\n> Please restart.\n> Thanks",
        )  # fmt: skip
        agent_reply = add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="> not a quote")
    assert html_message.html_quote_start is not None
    assert text_message.quote_start == len("New part of the text.\n\n")
    assert agent_reply.quote_start is None

    page = alpha.client().get(f"/cases/{case.pk}/").content.decode()

    folded = re.findall(r'<details class="case-quoted[^"]*" data-testid="quoted-text">(.*?)</details>', page, re.S)
    assert len(folded) == 2
    assert "Show quoted text" in folded[0]
    assert "Please restart the printer." in folded[0]
    assert "Please restart." in folded[1]
    for new, quoted in (("Still broken after the update.", "Please restart the printer."),
                        ("New part of the text.", "Please restart.<br>")):  # fmt: skip
        fold = page.index('data-testid="quoted-text"', page.index(new))
        assert page.index(quoted) > fold
    assert "&gt; not a quote" in page
    assert "<script" not in "".join(folded)
