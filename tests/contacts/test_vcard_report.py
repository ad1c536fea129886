"""The report of a vCard import a page at a time: the counts, 100 cards a page, only the imported,
updated or skipped ones on request, for the importer alone and for a day."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from modules.contacts.vcard_report import PAGE_SIZE
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke

GOOD, BAD = 120, 15


def _file() -> SimpleUploadedFile:
    cards = [f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Card{n};Person;;;\r\nEMAIL:card{n}@report.example\r\nEND:VCARD\r\n"
             for n in range(GOOD)]  # fmt: skip
    cards += [f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Broken{n};Person;;;\r\nEMAIL:not-an-address-{n}\r\nEND:VCARD\r\n"
              for n in range(BAD)]  # fmt: skip
    return SimpleUploadedFile("cards.vcf", "".join(cards).encode(), content_type="text/vcard")


def _rows(html: str) -> list[tuple[int, str]]:
    return [
        (int(number), status) for number, status in re.findall(r'data-testid="card-(\d+)" data-status="(\w+)"', html)
    ]


def _report_url(html: str) -> str:
    found = re.search(r'href="(/contacts/import/report/[\w-]+/)\?status=skipped"', html)
    assert found is not None, html
    return found.group(1)


def test_the_report_shows_the_counts_and_the_cards_a_page_at_a_time(alpha: TenantFixture) -> None:
    client = alpha.client()

    answer = client.post("/contacts/import/", {"file": _file()})
    html = answer.content.decode()
    url = _report_url(html)
    second = client.get(url, {"page": 2}).content.decode()
    skipped = client.get(url, {"status": "skipped"}).content.decode()
    beyond = client.get(url, {"page": "99", "status": "nonsense"}).content.decode()

    assert answer.status_code == 200
    assert f"{GOOD} cards imported." in html
    assert f"{BAD} cards skipped." in html
    assert f"Skipped ({BAD})" in html
    assert f"All ({GOOD + BAD})" in html
    assert _rows(html) == [(number, "imported") for number in range(1, PAGE_SIZE + 1)]
    assert "Page 1 of 2" in html
    assert f"Cards 1–{PAGE_SIZE} of {GOOD + BAD}" in html
    assert _rows(second) == [(n, "imported" if n <= GOOD else "skipped") for n in range(PAGE_SIZE + 1, GOOD + BAD + 1)]
    assert _rows(skipped) == [(number, "skipped") for number in range(GOOD + 1, GOOD + BAD + 1)]
    assert skipped.count("email: Enter a valid email address.") == BAD
    assert 'aria-current="page" href="' + url + '?status=skipped"' in skipped
    assert "Page 2 of 2" in beyond
    assert len(_rows(beyond)) == GOOD + BAD - PAGE_SIZE


def test_the_report_is_the_importers_alone(alpha: TenantFixture, beta: TenantFixture) -> None:
    url = _report_url(alpha.client().post("/contacts/import/", {"file": _file()}).content.decode())

    assert alpha.client().get(url).status_code == 200
    others = alpha.client(email=REP_EMAIL).get(url)  # another user's report: none of theirs
    assert others.status_code == 404
    assert "no longer available" in others.content.decode()
    assert 'data-testid="card-' not in others.content.decode()
    assert alpha.client().get("/contacts/import/report/no-such-report/").status_code == 404
    assert_cross_tenant_requests_fail(alpha, beta, [("get", url, {})])
    revoke(alpha, "admin", "contacts.change")
    assert alpha.client().get(url).status_code == 403
