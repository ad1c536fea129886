"""The audit log page: readable action names, filters by who, kind and dates typed in the reader's
own format, and a CSV download guarded against formulas and kept to those allowed to read it."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from identity.models import AuditEntry
from identity.services.audit import record_audit
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, with_session_of


def _entry(action: str, summary: str, *, actor: str = ADMIN_EMAIL, days_ago: int = 0) -> AuditEntry:
    entry = record_audit(action, summary, actor=actor)
    entry.at = timezone.now() - timedelta(days=days_ago)
    entry.save(update_fields=["at"])
    return entry


def _summaries(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry.summary for entry in response.context["page"]]


def _only_this_tests_entries() -> None:
    """Drop what setting the workspace up wrote (its team, its roles): near midnight those entries
    fall in the day windows the tests type (rolled back with the test)."""
    AuditEntry.objects.all().delete()


def test_actions_show_in_words_and_filter_by_kind_and_actor(alpha: TenantFixture):
    with alpha.active():
        _only_this_tests_entries()
        _entry("api_key.created", "Key made", actor="ana@example.test")
        _entry("webhook.deleted", "Hook gone", actor="bob@example.test")
        _entry("stage.deleted", "Stage gone", actor="bob@example.test")
        _entry("pipeline.created", "Pipeline made", actor="ana@example.test")
    client = alpha.client()

    everything = client.get("/settings/audit-log/")
    pipelines = client.get("/settings/audit-log/", {"kind": "pipeline"})
    bob = client.get("/settings/audit-log/", {"actor": "BOB@"})

    html = everything.content.decode()
    assert "API key created" in html
    assert 'data-action="api_key.created"' in html
    assert sorted(_summaries(pipelines)) == ["Pipeline made", "Stage gone"]
    assert sorted(_summaries(bob)) == ["Hook gone", "Stage gone"]


def test_dates_are_typed_in_the_readers_format(alpha: TenantFixture):
    with alpha.active():
        _only_this_tests_entries()
        _entry("role.updated", "Old", days_ago=10)
        _entry("role.updated", "Recent", days_ago=2)
        _entry("role.updated", "Today", days_ago=0)
    since = timezone.localdate() - timedelta(days=3)
    until = timezone.localdate() - timedelta(days=1)
    english = alpha.client()
    romanian = alpha.client(HTTP_ACCEPT_LANGUAGE="ro")
    romanian.cookies["django_language"] = "ro"

    in_english = english.get("/settings/audit-log/", {"since": since.isoformat(), "until": until.isoformat()})
    in_romanian = romanian.get(
        "/settings/audit-log/", {"since": since.strftime("%d.%m.%Y"), "until": until.strftime("%d.%m.%Y")}
    )

    assert _summaries(in_english) == ["Recent"]
    assert _summaries(in_romanian) == ["Recent"]
    assert 'placeholder="dd.mm.yyyy"' in in_romanian.content.decode()
    assert 'placeholder="yyyy-mm-dd"' in in_english.content.decode()
    assert 'type="date"' not in in_romanian.content.decode()


def test_a_bad_date_or_range_is_a_400_naming_the_field(alpha: TenantFixture):
    client = alpha.client()

    bad = client.get("/settings/audit-log/", {"since": "31.02.2026x"})
    backwards = client.get("/settings/audit-log/", {"since": "2026-05-02", "until": "2026-05-01"})
    huge = client.get("/settings/audit-log/", {"since": "9999-01-01"})

    assert bad.status_code == 400
    assert 'id="id_since-errors"' in bad.content.decode()
    assert backwards.status_code == 400
    assert "The end comes before the start." in backwards.content.decode()
    assert huge.status_code == 400


def test_the_csv_download_is_filtered_and_guards_formulas(alpha: TenantFixture):
    with alpha.active():
        _entry("team.members_changed", '=HYPERLINK("http://evil")', actor="+evil@example.test")
        _entry("api_key.created", "Not wanted")

    response = alpha.client().get("/settings/audit-log/export.csv", {"kind": "team"})
    body = b"".join(response.streaming_content).decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = body.strip().splitlines()
    assert lines[0] == "When,Who,Action,What,On,Address"
    assert "'+evil@example.test" in body
    assert "'=HYPERLINK" in body
    assert "Team members changed" in body
    assert "Not wanted" not in body


def test_the_log_and_its_download_need_the_audit_permission_and_stay_in_the_tenant(
    alpha: TenantFixture, beta: TenantFixture
):
    with alpha.active():
        _entry("role.updated", "Alpha secret change")
    rep = alpha.client(email=REP_EMAIL)

    assert rep.get("/settings/audit-log/").status_code == 403
    assert rep.get("/settings/audit-log/export.csv").status_code == 403
    beta_body = b"".join(beta.client().get("/settings/audit-log/export.csv").streaming_content).decode()
    assert "Alpha secret change" not in beta_body
    stolen = with_session_of(alpha.client(), beta.host).get("/settings/audit-log/export.csv")
    assert stolen.status_code == 302


def test_the_page_queries_the_same_for_5_and_45_entries(alpha: TenantFixture):
    client = alpha.client()

    def count(n: int) -> int:
        with alpha.active():
            for index in range(n):
                _entry("role.updated", f"Change {index}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/settings/audit-log/").status_code == 200
        return len(queries)

    assert count(5) == count(40)
