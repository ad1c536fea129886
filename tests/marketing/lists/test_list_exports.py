"""The marketing lists' exports (CSV and XLSX through the shared list exports): every list's rows
with its filters and order, a send's recipients bound to their e-mail with contacts under the link
rule, large lists as background jobs, ``data.export`` and the list's view permission, another
tenant's parent refused, and a query count that does not grow with the rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.services import run_export
from modules.dataio.exports.storage import private_storage
from modules.marketing.choices import SegmentKind
from modules.marketing.delivery.models import Recipient
from modules.marketing.email.services.emails import create_email
from modules.marketing.models import MarketingEmail, Segment
from modules.marketing.segments.services import create_segment
from modules.marketing.services.campaigns import create_campaign
from modules.marketing.surveys.services.surveys import create_survey
from modules.marketing.webforms.models import Submission
from modules.marketing.webforms.services.forms import create_form
from tests.dataio.exports.conftest import body_of, csv_rows, xlsx_rows
from tests.dataio.exports.conftest import private_files as private_files  # the fixture: files per test
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant, revoke

EXPORT = "/exports/list/{key}/{file_format}/"


def _submission(name: str) -> Submission:
    form = create_form(
        by=None, name=f"Form of {name}", key=f"form-{name.lower().replace(' ', '-')}", creates="contact",
        fields=[{"field": "last_name", "required": True}, {"field": "email", "required": True}],
    )  # fmt: skip
    return Submission.objects.create(form=form, status="accepted", data={"email": f"{name[:4]}@example.test"})


# Each list: a row to make (named ``name``), and the column showing that name.
LISTS: dict[str, tuple[Callable[[str], Any], str]] = {
    "campaign": (lambda name: create_campaign(by=None, name=name), "Name"),
    "segment": (lambda name: create_segment(by=None, name=name, kind="static"), "Name"),
    "marketing_email": (lambda name: create_email(by=None, name=name), "Name"),
    "survey": (lambda name: create_survey(by=None, name=name, kind="nps"), "Survey"),
    "form_submission": (_submission, "Form"),
}


def _recipient(email: MarketingEmail, address: str, **fields: Any) -> Recipient:
    fields.setdefault("contact", ContactFactory(email=address))
    return Recipient.objects.create(email=email, address=address, message_id=f"<{address}>", **fields)


@pytest.mark.parametrize("key", list(LISTS))
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_marketing_list_exports_its_rows(alpha: TenantFixture, key: str, file_format: str):
    make, column = LISTS[key]
    with alpha.active():
        row = make("Spring launch")

    response = alpha.client().get(EXPORT.format(key=key, file_format=file_format))

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith(f'attachment; filename="{key}-export-')
    if file_format == "csv":
        names = [line[column] for line in csv_rows(response)]
    else:
        headers, rows = xlsx_rows(body_of(response))
        names = [line[headers.index(column)] for line in rows]
    expected = row.form.name if key == "form_submission" else "Spring launch"
    assert expected in names


def test_the_export_keeps_the_lists_filters_and_order(alpha: TenantFixture):
    with alpha.active():
        for name in ("Beta list", "Alpha list", "Gamma list"):
            create_segment(by=None, name=name, kind=SegmentKind.STATIC)
        create_segment(by=None, name="Dynamic one", rules={"match": "all", "conditions": []})

    response = alpha.client().get(EXPORT.format(key="segment", file_format="csv") + "?kind=static&sort=-name")

    assert [row["Name"] for row in csv_rows(response)] == ["Gamma list", "Beta list", "Alpha list"]


def test_a_sends_recipients_export_with_their_email_and_the_link_rule(alpha: TenantFixture):
    grant(alpha, "sales_rep", "data.export", "marketing.view")
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        email, other = create_email(by=None, name="Newsletter"), create_email(by=None, name="Other")
        _recipient(email, "mine@example.test", contact=ContactFactory(owner=rep, first_name="Mia", last_name="Own"))
        _recipient(email, "hidden@example.test", contact=ContactFactory(owner=alpha.user(), first_name="Hid"),
                   state="skipped", skip_reason="suppressed")  # fmt: skip
        _recipient(other, "elsewhere@example.test")

    url = EXPORT.format(key="email_recipient", file_format="csv")
    rows = csv_rows(alpha.client(REP_EMAIL).get(url, {"parent": email.pk}))
    skipped = csv_rows(alpha.client(REP_EMAIL).get(url, {"parent": email.pk, "state": "skipped"}))

    assert {row["Address"]: row["Contact"] for row in rows} == {
        "mine@example.test": "Mia Own",
        "hidden@example.test": "(not visible to you)",
    }
    assert [row["Address"] for row in skipped] == ["hidden@example.test"]
    assert alpha.client().get(url).status_code == 404  # a send's recipients need their e-mail
    assert alpha.client().get(url, {"parent": "999999999"}).status_code == 404


def test_the_menu_offers_the_export_to_users_with_the_permission(alpha: TenantFixture):
    grant(alpha, "sales_rep", "marketing.view")
    with alpha.active():
        email = create_email(by=None, name="Menu")
        _recipient(email, "menu@example.test")

    page = alpha.client().get("/marketing/segments/").content.decode()
    without = alpha.client(REP_EMAIL).get("/marketing/segments/").content.decode()

    assert 'href="/exports/list/segment/csv/' in page
    assert 'data-testid="export-menu"' not in without


def test_exporting_needs_the_export_and_the_lists_view_permission(alpha: TenantFixture):
    grant(alpha, "sales_rep", "marketing.view")
    with alpha.active():
        create_segment(by=None, name="Confidential list", kind="static")
    url = EXPORT.format(key="segment", file_format="csv")

    without_export = alpha.client(REP_EMAIL).get(url)
    revoke(alpha, "admin", "marketing.view")
    without_view = alpha.client().get(url)

    assert without_export.status_code == 403
    assert without_view.status_code == 403
    assert b"Confidential list" not in without_export.content + without_view.content


def test_another_tenants_send_and_rows_are_never_exported(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        email = create_email(by=None, name="Alpha only")
        _recipient(email, "alpha@example.test")
        create_segment(by=None, name="Alpha segment", kind="static")
    url = EXPORT.format(key="email_recipient", file_format="csv")

    assert_cross_tenant_requests_fail(alpha, beta, [("get", url, {"parent": email.pk})])
    beta_rows = csv_rows(beta.client().get(EXPORT.format(key="segment", file_format="csv")))
    assert "Alpha segment" not in {row["Name"] for row in beta_rows}


def test_a_long_list_is_exported_by_a_job_with_the_same_rows(alpha: TenantFixture, settings: Any):
    settings.EXPORT_SYNC_ROWS = 2
    with alpha.active():
        email = create_email(by=None, name="Big send")
        for number in range(3):
            _recipient(email, f"r{number}@example.test", state="sent")
        _recipient(email, "queued@example.test")

    response = alpha.client().get(EXPORT.format(key="email_recipient", file_format="xlsx"), {"parent": email.pk})

    assert response.status_code == 302
    with alpha.active():
        job = ExportJob.objects.get(entity="email_recipient")
        run_export(job.pk)
        job.refresh_from_db()
        with private_storage().open(job.file_path, "rb") as stored:
            headers, rows = xlsx_rows(stored.read())
    assert job.row_count == 4
    assert sorted(row[headers.index("Address")] for row in rows) == [
        "queued@example.test", "r0@example.test", "r1@example.test", "r2@example.test",
    ]  # fmt: skip


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_query_count_does_not_grow_with_the_rows(alpha: TenantFixture, file_format: str):
    with alpha.active():
        email = create_email(by=None, name="Counted")
        segment_owner = alpha.user()

    def export(count: int) -> int:
        with alpha.active():
            start = Recipient.objects.count()
            for number in range(start, start + count):
                _recipient(email, f"c{number}@example.test", contact=ContactFactory(owner=segment_owner))
                Segment.objects.create(name=f"Counted {number}", kind=SegmentKind.STATIC, owner=segment_owner)
        client = alpha.client()
        total = 0
        for key, query in (("email_recipient", {"parent": email.pk}), ("segment", {})):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(EXPORT.format(key=key, file_format=file_format), query)
                assert body_of(response)
            assert response.status_code == 200
            total += len(queries)
        return total

    assert export(3) == export(30)
