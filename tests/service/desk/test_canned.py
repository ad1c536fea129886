"""Canned responses: merge fields filled from the case with fallbacks, shared or personal, the
render endpoint (visibility of both the case and the response) and the composer panel."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from modules.service.desk.models import CannedResponse
from modules.service.desk.panels import canned_picker_context
from modules.service.desk.services.canned import create_canned_response, render_for_case, update_canned_response
from modules.service.panels import panels_for
from tests.factories import CompanyFactory, ContactFactory
from tests.service.conftest import make_case
from tests.tenancy import REP_EMAIL, TenantFixture, grant

BODY = (
    'Hello {{ contact.first_name | "there" }}, about {{ record.number }} ({{ record.subject }}) for '
    '{{ company.name }}: {{ agent.first_name }} here. {{ record.nothing | "n/a" }}{{ contact.unknown }}'
)


def test_merge_fields_are_filled_from_the_case_with_fallbacks(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user()
        admin.full_name = "Ada Agent"
        contact = ContactFactory(first_name="Jo", last_name="Buyer", company=CompanyFactory(name="Acme"))
        nameless = ContactFactory(first_name="", last_name="Nameless", company=None)
    case = make_case(alpha, contact=contact, subject="Broken")
    other = make_case(alpha, contact=nameless, subject="Other")
    with alpha.active():
        response = create_canned_response(by=admin, shared=True, title="Hello", body=BODY)

        text = render_for_case(response, case, agent=admin)
        fallback = render_for_case(response, other, agent=admin)

    assert text == f"Hello Jo, about {case.number} (Broken) for Acme: Ada here. n/a"
    assert fallback.startswith(f"Hello there, about {other.number} (Other) for : Ada here.")


def test_bad_input_names_the_field_and_writes_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user()
        errors = {}
        for name, values in {
            "title": {"title": "Nul\x00", "body": "Text"},
            "body": {"title": "Huge", "body": "x" * 20001},
            "blank": {"title": "  ", "body": "Text"},
            "nul body": {"title": "Fine", "body": "a\x00b"},
        }.items():
            with pytest.raises(ValidationError) as error:
                create_canned_response(by=admin, shared=False, **values)
            errors[name] = sorted(error.value.message_dict)
        kept = create_canned_response(by=admin, shared=False, title="Kept", body="Kept")
        with pytest.raises(ValidationError):
            update_canned_response(kept, title="x" * 500)

        assert errors == {"title": ["title"], "body": ["body"], "blank": ["title"], "nul body": ["body"]}
        assert list(CannedResponse.objects.values_list("title", flat=True)) == ["Kept"]
        assert CannedResponse.objects.get().title == "Kept"


def test_the_endpoint_renders_a_visible_response_for_a_visible_case(alpha: TenantFixture) -> None:
    case = make_case(alpha, contact=None, subject="Endpoint")
    with alpha.active():
        admin = alpha.user()
        rep = alpha.user(REP_EMAIL)
        shared = create_canned_response(by=admin, shared=True, title="Shared", body="Case {{ record.number }}")
        personal = create_canned_response(by=rep, shared=False, title="Rep's", body="Mine")
    client = alpha.client()

    ok = client.get(f"/service/desk/cases/{case.pk}/canned-responses/{shared.pk}/")
    someone_elses = client.get(f"/service/desk/cases/{case.pk}/canned-responses/{personal.pk}/")
    no_case = client.get(f"/service/desk/cases/999999/canned-responses/{shared.pk}/")

    assert (ok.status_code, ok.json()) == (200, {"title": "Shared", "text": f"Case {case.number}"})
    assert someone_elses.status_code == 404
    assert no_case.status_code == 404


def test_a_role_without_reply_permission_gets_403_and_an_unseen_case_404(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user()
        response = create_canned_response(by=admin, shared=True, title="Shared", body="Hi")
    case = make_case(alpha, owner=alpha.user())  # the admin's own case: a rep whose role sees own cases only

    without = alpha.client(REP_EMAIL).get(f"/service/desk/cases/{case.pk}/canned-responses/{response.pk}/")
    grant(alpha, "sales_rep", "service.view", "service.change")  # a role that sees its own records only
    unseen = alpha.client(REP_EMAIL).get(f"/service/desk/cases/{case.pk}/canned-responses/{response.pk}/")

    assert without.status_code == 403
    assert unseen.status_code == 404


def test_the_composer_panel_lists_shared_and_own_responses_in_one_query(
    alpha: TenantFixture, django_assert_max_num_queries
) -> None:
    case = make_case(alpha)
    with alpha.active():
        admin = alpha.user()
        rep = alpha.user(REP_EMAIL)
        for index in range(5):
            create_canned_response(by=admin, shared=True, title=f"Shared {index}", body="x")
        create_canned_response(by=admin, shared=False, title="Admin's own", body="x")
        create_canned_response(by=rep, shared=False, title="Rep's own", body="x")
        request = RequestFactory().get("/")
        request.user = admin
        admin.has_perm("service.change")  # the role's permissions are read once per user

        with django_assert_max_num_queries(1):
            context = canned_picker_context(request, case)
        shown = {panel.key: data for panel, data in panels_for(request, case, "composer")}

    assert context is not None
    titles = [row["title"] for row in context["canned_responses"]]
    assert titles == ["Admin's own", *[f"Shared {index}" for index in range(5)]]
    first = context["canned_responses"][0]
    assert first["url"] == f"/service/desk/cases/{case.pk}/canned-responses/{first['id']}/"
    assert "desk-canned-responses" in shown
    assert "desk-replying" in shown


def test_the_panels_are_not_shown_to_a_role_that_cannot_reply(alpha: TenantFixture) -> None:
    case = make_case(alpha)
    with alpha.active():
        request = RequestFactory().get("/")
        request.user = alpha.user(REP_EMAIL)

        shown = [panel.key for panel, _context in panels_for(request, case, "composer")]

    assert "desk-canned-responses" not in shown
    assert "desk-replying" not in shown


def test_the_panels_render_without_inline_code_and_with_expressions_alpines_csp_build_runs(
    alpha: TenantFixture,
) -> None:
    from django.template.loader import render_to_string

    from modules.service.desk.services.presence import mark_replying
    from tests.page_markup import page_markup, refused_by_alpine_csp_build

    case = make_case(alpha)
    with alpha.active():
        admin = alpha.user()
        create_canned_response(by=admin, shared=True, title="Thanks <b>", body="x")
        colleague = alpha.user(REP_EMAIL)
        mark_replying(case, colleague)
        request = RequestFactory().get("/")
        request.user = admin
        html = "".join(
            render_to_string(panel.template, {**context, "case": case}, request=request)
            for panel, context in panels_for(request, case, "composer")
        )

    markup = page_markup(html)
    assert markup.inline_scripts == []
    assert markup.handlers == []
    assert refused_by_alpine_csp_build(markup.alpine_expressions) == []
    assert "Thanks &lt;b&gt;" in html
    assert "Rita Rep is replying to this case." in html


def test_the_case_page_shows_the_desk_panels_and_the_reply_warning(alpha: TenantFixture) -> None:
    from modules.service.desk.services.presence import mark_replying

    case = make_case(alpha)
    with alpha.active():
        create_canned_response(by=alpha.user(), shared=True, title="Greeting", body="Hello")
        mark_replying(case, alpha.user(REP_EMAIL))

    page = alpha.client().get(f"/cases/{case.pk}/")
    html = page.content.decode()

    assert page.status_code == 200
    assert 'data-testid="canned-picker"' in html
    assert "Greeting" in html
    assert "Rita Rep is replying to this case." in html
    assert f"/service/desk/cases/{case.pk}/merge/" in html
    assert f"/service/desk/cases/{case.pk}/split/" in html
