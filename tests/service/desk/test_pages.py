"""The service desk's settings pages: statuses (rename, add, order, out of use, delete when unused,
each category keeps one in use), categories, assignment rules and shared canned responses, and
the agents' own canned responses, merge and split pages; errors name the field."""

from __future__ import annotations

from modules.service.choices import StatusCategory
from modules.service.desk.models import AssignmentRule, CannedResponse
from modules.service.desk.services.canned import create_canned_response
from modules.service.models import Case, CaseCategory, CaseStatus
from modules.service.services.statuses import status_for
from tests.service.conftest import make_case
from tests.tenancy import REP_EMAIL, TenantFixture

SETTINGS = "/settings/service/"


def test_statuses_are_added_renamed_moved_and_retired_but_a_category_keeps_one(alpha: TenantFixture) -> None:
    client = alpha.client()
    with alpha.active():
        waiting = status_for(StatusCategory.PENDING)

    added = client.post(f"{SETTINGS}statuses/", {"label": "Waiting on supplier", "category": "pending"})
    with alpha.active():
        supplier = CaseStatus.objects.get(label="Waiting on supplier")
    renamed = client.post(f"{SETTINGS}statuses/{supplier.pk}/rename/", {"label": "Supplier"})
    moved = client.post(f"{SETTINGS}statuses/{supplier.pk}/move/", {"direction": "up"})
    retired = client.post(f"{SETTINGS}statuses/{waiting.pk}/active/", {"active": "0"})
    last = client.post(f"{SETTINGS}statuses/{supplier.pk}/active/", {"active": "0"})
    page = client.get(f"{SETTINGS}statuses/")

    assert [r.status_code for r in (added, renamed, moved, retired, last)] == [302] * 5
    with alpha.active():
        supplier.refresh_from_db()
        waiting.refresh_from_db()
        assert supplier.label == "Supplier"
        assert (waiting.is_active, supplier.is_active) == (False, True)
        order = list(CaseStatus.objects.values_list("pk", flat=True))
        assert order.index(supplier.pk) == len(order) - 2
    assert "Each category keeps at least one status in use" in page.content.decode()


def test_a_status_in_use_is_not_deleted_and_an_unused_one_is(alpha: TenantFixture) -> None:
    case = make_case(alpha)
    client = alpha.client()
    with alpha.active():
        extra = CaseStatus.objects.create(key="extra", label="Extra", category=StatusCategory.OPEN, position=50)

    in_use = client.post(f"{SETTINGS}statuses/{case.status_id}/delete/")
    unused = client.post(f"{SETTINGS}statuses/{extra.pk}/delete/")

    assert (in_use.status_code, unused.status_code) == (302, 302)
    with alpha.active():
        assert CaseStatus.objects.filter(pk=case.status_id).exists()
        assert not CaseStatus.objects.filter(pk=extra.pk).exists()


def test_bad_input_on_the_settings_pages_names_the_field(alpha: TenantFixture) -> None:
    client = alpha.client()
    with alpha.active():
        statuses_before = CaseStatus.objects.count()
        status = CaseStatus.objects.first()
        assert status is not None

    nul = client.post(f"{SETTINGS}statuses/", {"label": "Bad\x00", "category": "open"})
    huge = client.post(f"{SETTINGS}statuses/", {"label": "x" * 10000, "category": "open"})
    category = client.post(f"{SETTINGS}statuses/", {"label": "Odd", "category": "limbo"})
    rename = client.post(f"{SETTINGS}statuses/{status.pk}/rename/", {"label": "x" * 61})
    new_category = client.post(f"{SETTINGS}categories/", {"name": "\x00"})
    rule = client.post(f"{SETTINGS}assignment/", {"name": "Fixed", "method": "fixed"})
    canned = client.post(f"{SETTINGS}canned-responses/", {"title": "T", "body": "x" * 20001})

    assert (nul.status_code, list(nul.context["form"].errors)) == (400, ["label"])
    assert (huge.status_code, list(huge.context["form"].errors)) == (400, ["label"])
    assert (category.status_code, list(category.context["form"].errors)) == (400, ["category"])
    assert rename.status_code == 400
    assert "label" in rename.content.decode()
    assert (new_category.status_code, list(new_category.context["form"].errors)) == (400, ["name"])
    assert (rule.status_code, list(rule.context["form"].errors)) == (400, ["agent"])
    assert (canned.status_code, list(canned.context["form"].errors)) == (400, ["body"])
    with alpha.active():
        status.refresh_from_db()
        assert status.label != "x" * 61
        assert CaseStatus.objects.count() == statuses_before
        assert not AssignmentRule.objects.exists()
        assert not CannedResponse.objects.exists()


def test_categories_rules_and_shared_responses_are_kept_on_their_pages(alpha: TenantFixture) -> None:
    client = alpha.client()

    category = client.post(f"{SETTINGS}categories/", {"name": "Warranty"})
    with alpha.active():
        warranty = CaseCategory.objects.get(name="Warranty")
    renamed = client.post(f"{SETTINGS}categories/{warranty.pk}/rename/", {"name": "Guarantee"})
    retired = client.post(f"{SETTINGS}categories/{warranty.pk}/active/", {"active": "0"})
    rule = client.post(
        f"{SETTINGS}assignment/",
        {"name": "Guarantee", "method": "round_robin", "category": warranty.pk, "is_active": "on"},
    )
    canned = client.post(f"{SETTINGS}canned-responses/", {"title": "Thanks", "body": "Thanks {{ contact.first_name }}"})
    pages = [
        client.get(f"{SETTINGS}{path}") for path in ("statuses/", "categories/", "assignment/", "canned-responses/")
    ]

    assert [r.status_code for r in (category, renamed, retired, rule, canned)] == [302] * 5
    assert [page.status_code for page in pages] == [200] * 4
    with alpha.active():
        warranty.refresh_from_db()
        assert (warranty.name, warranty.is_active) == ("Guarantee", False)
        assert AssignmentRule.objects.get().category_id == warranty.pk
        assert CannedResponse.objects.get().owner_id is None


def test_settings_need_the_admin_permission_and_personal_responses_are_ones_own(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user()
        shared = create_canned_response(by=admin, shared=True, title="Shared", body="x")
        own = create_canned_response(by=admin, shared=False, title="Own", body="x")
    rep = alpha.client(REP_EMAIL)
    client = alpha.client()

    refused = [rep.get(f"{SETTINGS}{path}").status_code for path in ("statuses/", "categories/", "assignment/")]
    personal_list = client.get("/service/desk/canned-responses/")
    shared_as_personal = client.get(f"/service/desk/canned-responses/{shared.pk}/")
    own_edit = client.post(f"/service/desk/canned-responses/{own.pk}/", {"title": "Own 2", "body": "y"})

    assert refused == [403, 403, 403]
    assert personal_list.status_code == 200
    assert [row.title for row in personal_list.context["responses"]] == ["Own"]
    assert shared_as_personal.status_code == 404
    assert own_edit.status_code == 302
    with alpha.active():
        own.refresh_from_db()
        assert own.title == "Own 2"


def test_the_merge_and_split_pages(alpha: TenantFixture) -> None:
    from modules.service.choices import MessageAuthor
    from modules.service.services.cases import add_message

    target = make_case(alpha)
    source = make_case(alpha)
    with alpha.active():
        message = add_message(source, by=None, author_kind=MessageAuthor.CUSTOMER, body_text="hello")
        add_message(source, by=None, author_kind=MessageAuthor.CUSTOMER, body_text="second")
    client = alpha.client()

    unknown = client.post(f"/service/desk/cases/{source.pk}/merge/", {"target": "C-99999"})
    split_page = client.get(f"/service/desk/cases/{source.pk}/split/")
    split = client.post(f"/service/desk/cases/{source.pk}/split/", {"messages": [message.pk], "subject": "Split off"})
    merge = client.post(f"/service/desk/cases/{source.pk}/merge/", {"target": target.number.lower()})

    assert (unknown.status_code, list(unknown.context["form"].errors)) == (400, ["target"])
    assert split_page.status_code == 200
    assert (split.status_code, merge.status_code) == (302, 302)
    with alpha.active():
        source.refresh_from_db()
        assert source.merged_into_id == target.pk
        assert Case.objects.get(subject="Split off").messages.get().pk == message.pk


def test_the_settings_lists_cost_the_same_queries_for_few_and_many_rows(alpha: TenantFixture) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from identity.models import Team
    from modules.service.desk.services.assignment import create_rule

    client = alpha.client()
    pages = ("statuses/", "categories/", "assignment/", "canned-responses/")

    def add_rows(count: int, tag: str) -> None:
        with alpha.active():
            admin = alpha.user()
            team = Team.objects.create(name=f"Counted {tag}")
            for index in range(count):
                category = CaseCategory.objects.create(name=f"Counted {tag} {index}")
                CaseStatus.objects.create(key=f"counted-{tag}-{index}", label=f"Counted {index}", category="open")
                create_rule(name=f"Rule {tag} {index}", method="fixed", agent=admin, category=category, queue=team)
                create_canned_response(by=admin, shared=True, title=f"Canned {tag} {index}", body="x")

    def counts() -> list[int]:
        found = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"{SETTINGS}{page}").status_code == 200
            found.append(len(queries.captured_queries))
        return found

    add_rows(2, "few")
    counts()  # warm the session and the role
    few = counts()
    add_rows(20, "many")

    assert counts() == few
