"""Settings → Pipelines pages: who may open them, what the forms do, and what a list costs."""

from __future__ import annotations

import pytest

from modules.sales.models import Deal, DealStageChange, Pipeline, Stage
from tests.factories import DealFactory
from tests.sales.pipeline_admin.conftest import stage_names, stage_of
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def test_the_list_shows_pipelines_with_default_badge_and_open_deals(alpha: TenantFixture, stages, renewals):
    with alpha.active():
        DealFactory(stage=stages["Qualification"])
        DealFactory(stage=stages["Proposal"], amount=1, company=None)
        DealFactory(stage=stages["Won"], status="won")

    response = alpha.client().get("/settings/pipelines/")

    page = response.content.decode()
    assert response.status_code == 200
    assert [(p.name, p.open_deals, p.stage_count) for p in response.context["pipelines"]] == [
        ("Sales pipeline", 2, 6),
        ("Renewals", 0, 3),
    ]
    assert page.count('data-testid="default-badge"') == 1
    assert 'href="/settings/pipelines/"' in page  # the settings navigation links here


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/settings/pipelines/"),
        ("post", "/settings/pipelines/"),
        ("post", "/settings/pipelines/reorder/"),
        ("get", "/settings/pipelines/{p}/"),
        ("post", "/settings/pipelines/{p}/"),
        ("post", "/settings/pipelines/{p}/rename/"),
        ("post", "/settings/pipelines/{p}/move/"),
        ("post", "/settings/pipelines/{p}/default/"),
        ("get", "/settings/pipelines/{p}/archive/"),
        ("post", "/settings/pipelines/{p}/archive/"),
        ("post", "/settings/pipelines/{p}/unarchive/"),
        ("post", "/settings/pipelines/{p}/stages/reorder/"),
        ("get", "/settings/pipelines/{p}/stages/{s}/"),
        ("post", "/settings/pipelines/{p}/stages/{s}/"),
        ("post", "/settings/pipelines/{p}/stages/{s}/move/"),
        ("get", "/settings/pipelines/{p}/stages/{s}/delete/"),
        ("post", "/settings/pipelines/{p}/stages/{s}/delete/"),
    ],
)
def test_a_rep_gets_403_everywhere_and_changes_nothing(alpha: TenantFixture, renewals, method: str, path: str):
    with alpha.active():
        stage = stage_of(renewals, "Won")
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    response = getattr(client, method)(path.format(p=renewals.pk, s=stage.pk), {"name": "Mine", "direction": "up"})

    assert response.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_anonymous_visitors_are_sent_to_sign_in(alpha: TenantFixture):
    response = alpha.client(None).get("/settings/pipelines/")

    assert (response.status_code, response["Location"].startswith("/login/")) == (302, True)


def test_creating_a_pipeline_opens_its_page(alpha: TenantFixture):
    response = alpha.client().post("/settings/pipelines/", {"name": "Partners"})

    with alpha.active():
        pipeline = Pipeline.objects.get(name="Partners")
        assert stage_names(pipeline) == ["New", "Won", "Lost"]
    assert response.status_code == 302
    assert response["Location"] == f"/settings/pipelines/{pipeline.pk}/"


def test_a_taken_name_is_shown_on_the_field_and_nothing_is_created(alpha: TenantFixture):
    response = alpha.client().post("/settings/pipelines/", {"name": "Sales pipeline"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["name"]
    with alpha.active():
        assert Pipeline.objects.count() == 1


def test_the_pipeline_page_lists_stages_in_order_with_deal_counts(alpha: TenantFixture, sales, stages):
    with alpha.active():
        DealFactory(stage=stages["Qualification"])

    response = alpha.client().get(f"/settings/pipelines/{sales.pk}/")

    assert response.status_code == 200
    assert [(stage.name, stage.deal_count) for stage in response.context["stages"]] == [
        ("Qualification", 1), ("Needs analysis", 0), ("Proposal", 0), ("Negotiation", 0), ("Won", 0), ("Lost", 0),
    ]  # fmt: skip
    page = response.content.decode()
    assert f'data-reorder-url="/settings/pipelines/{sales.pk}/stages/reorder/"' in page
    assert "vendor/sortable.min.js" in page


def test_adding_a_stage_from_the_form(alpha: TenantFixture, sales: Pipeline):
    data = {
        "new-name": "Demo", "new-kind": "open", "new-probability": "35",
        "new-required_fields": ["amount", "contact"], "new-rotting_days": "",
    }  # fmt: skip

    response = alpha.client().post(f"/settings/pipelines/{sales.pk}/", data)

    assert response.status_code == 302
    with alpha.active():
        stage = stage_of(sales, "Demo")
        assert (stage.probability, stage.required_fields, stage.rotting_days) == (35, ["amount", "contact"], None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"new-probability": "101"}, "probability"),
        ({"new-name": "Won"}, "name"),
        ({"new-required_fields": ["owner"]}, "required_fields"),
        ({"new-rotting_days": "0"}, "rotting_days"),
        ({"new-kind": "maybe"}, "kind"),
    ],
)
def test_bad_stage_input_is_shown_on_its_field(alpha: TenantFixture, sales: Pipeline, change, field: str):
    data = {"new-name": "Demo", "new-kind": "open", "new-probability": "35", **change}
    client = alpha.client()  # signing in touches last_login: before the snapshot
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/settings/pipelines/{sales.pk}/", data)

    assert response.status_code == 400
    assert list(response.context["stage_form"].errors) == [field]
    assert schema_snapshot(alpha.tenant) == before


def test_editing_a_stage_inline(alpha: TenantFixture, sales: Pipeline, stages):
    stage = stages["Proposal"]
    client = alpha.client()
    form_page = client.get(f"/settings/pipelines/{sales.pk}/stages/{stage.pk}/")
    prefix = f"stage-{stage.pk}-"

    response = client.post(
        f"/settings/pipelines/{sales.pk}/stages/{stage.pk}/",
        {f"{prefix}name": "Offer", f"{prefix}kind": "open", f"{prefix}probability": "45",
         f"{prefix}required_fields": ["expected_close_date"], f"{prefix}rotting_days": "9"},
    )  # fmt: skip

    assert form_page.status_code == 200
    assert f'name="{prefix}name"' in form_page.content.decode()
    assert response.status_code == 302
    with alpha.active():
        saved = Stage.objects.get(pk=stage.pk)
        assert (saved.name, saved.probability, saved.required_fields, saved.rotting_days) == (
            "Offer", 45, ["expected_close_date"], 9
        )  # fmt: skip


def test_renaming_from_the_pipeline_page(alpha: TenantFixture, renewals: Pipeline):
    response = alpha.client().post(f"/settings/pipelines/{renewals.pk}/rename/", {"name": ""})
    assert (response.status_code, list(response.context["rename_form"].errors)) == (400, ["name"])

    response = alpha.client().post(f"/settings/pipelines/{renewals.pk}/rename/", {"name": "Upsell"})
    assert response.status_code == 302
    with alpha.active():
        assert Pipeline.objects.get(pk=renewals.pk).name == "Upsell"


def test_dragging_stages_posts_the_new_order(alpha: TenantFixture, sales: Pipeline, stages):
    order = ["Proposal", "Qualification", "Needs analysis", "Negotiation", "Won", "Lost"]

    response = alpha.client().post(
        f"/settings/pipelines/{sales.pk}/stages/reorder/", {"order": [stages[name].pk for name in order]}, **FETCH
    )

    assert response.status_code == 200
    with alpha.active():
        assert stage_names(sales) == order


def test_a_stale_order_is_refused_with_json(alpha: TenantFixture, sales: Pipeline, stages):
    response = alpha.client().post(
        f"/settings/pipelines/{sales.pk}/stages/reorder/", {"order": [stages["Won"].pk]}, **FETCH
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["order"]
    with alpha.active():
        assert stage_names(sales)[0] == "Qualification"


def test_the_up_and_down_buttons_move_a_stage_and_a_pipeline(alpha: TenantFixture, sales, stages, renewals):
    client = alpha.client()

    stage_response = client.post(
        f"/settings/pipelines/{sales.pk}/stages/{stages['Proposal'].pk}/move/", {"direction": "up"}
    )
    pipeline_response = client.post(f"/settings/pipelines/{renewals.pk}/move/", {"direction": "up"})

    assert (stage_response.status_code, pipeline_response.status_code) == (302, 302)
    with alpha.active():
        assert stage_names(sales)[:3] == ["Qualification", "Proposal", "Needs analysis"]
        assert list(Pipeline.objects.values_list("name", flat=True)) == ["Renewals", "Sales pipeline"]


def test_dragging_pipelines_posts_the_new_order(alpha: TenantFixture, sales: Pipeline, renewals: Pipeline):
    response = alpha.client().post("/settings/pipelines/reorder/", {"order": [renewals.pk, sales.pk]}, **FETCH)

    assert response.status_code == 200
    with alpha.active():
        assert list(Pipeline.objects.values_list("pk", flat=True)) == [renewals.pk, sales.pk]


def test_deleting_a_stage_with_deals_asks_where_they_go(alpha: TenantFixture, sales, stages, renewals):
    stage = stages["Qualification"]
    with alpha.active():
        deals = [DealFactory(stage=stage) for _ in range(3)]
    client = alpha.client()
    path = f"/settings/pipelines/{sales.pk}/stages/{stage.pk}/delete/"

    question = client.get(path)
    unanswered = client.post(path, {})
    answered = client.post(path, {"target_stage": stages["Needs analysis"].pk})

    assert question.status_code == 200
    options = [str(option) for option in question.context["form"].fields["target_stage"].queryset]
    assert "Qualification" not in options
    assert "Won" not in options
    assert "3 deals are in this stage" in question.content.decode()
    assert (unanswered.status_code, list(unanswered.context["form"].errors)) == (400, ["target_stage"])
    assert answered.status_code == 302
    with alpha.active():
        assert not Stage.objects.filter(pk=stage.pk).exists()
        assert set(Deal.objects.filter(pk__in=[d.pk for d in deals]).values_list("stage__name", flat=True)) == {
            "Needs analysis"
        }
        assert DealStageChange.objects.filter(to_stage=stages["Needs analysis"]).count() == 3


def test_deleting_the_last_open_stage_shows_why_not(alpha: TenantFixture, renewals: Pipeline):
    with alpha.active():
        stage = stage_of(renewals, "New")

    response = alpha.client().post(f"/settings/pipelines/{renewals.pk}/stages/{stage.pk}/delete/", {})

    assert response.status_code == 400
    assert "last open stage" in response.content.decode()
    with alpha.active():
        assert Stage.objects.filter(pk=stage.pk).exists()


def test_archiving_the_default_from_its_page(alpha: TenantFixture, sales: Pipeline, stages, renewals):
    with alpha.active():
        deal = DealFactory(stage=stages["Qualification"])
        target = stage_of(renewals, "New")
    client = alpha.client()
    path = f"/settings/pipelines/{sales.pk}/archive/"

    question = client.get(path)
    unanswered = client.post(path, {})
    answered = client.post(path, {"target_stage": target.pk})

    assert question.status_code == 200
    assert [str(stage) for stage in question.context["form"].fields["target_stage"].queryset] == ["New"]
    assert (unanswered.status_code, list(unanswered.context["form"].errors)) == (400, ["target_stage"])
    assert answered.status_code == 302
    with alpha.active():
        assert Deal.objects.get(pk=deal.pk).stage_id == target.pk
        assert list(Pipeline.objects.filter(is_default=True).values_list("pk", flat=True)) == [renewals.pk]
        assert Pipeline.objects.get(pk=sales.pk).is_archived is True


def test_archiving_an_empty_pipeline_needs_no_target_then_it_comes_back(alpha: TenantFixture, renewals: Pipeline):
    client = alpha.client()

    archived = client.post(f"/settings/pipelines/{renewals.pk}/archive/", {})
    with alpha.active():
        assert Pipeline.objects.get(pk=renewals.pk).is_archived is True
    restored = client.post(f"/settings/pipelines/{renewals.pk}/unarchive/")

    assert (archived.status_code, restored.status_code) == (302, 302)
    with alpha.active():
        assert Pipeline.objects.get(pk=renewals.pk).is_archived is False


def test_making_a_pipeline_the_default(alpha: TenantFixture, renewals: Pipeline):
    response = alpha.client().post(f"/settings/pipelines/{renewals.pk}/default/")

    assert response.status_code == 302
    with alpha.active():
        assert list(Pipeline.objects.filter(is_default=True).values_list("pk", flat=True)) == [renewals.pk]


@pytest.mark.parametrize("count", [2, 12])
def test_the_pipeline_list_costs_a_fixed_number_of_queries(alpha: TenantFixture, count, django_assert_max_num_queries):
    with alpha.active():
        for index in range(count):
            pipeline = Pipeline.objects.create(name=f"P{index}", position=index + 1)
            stage = Stage.objects.create(pipeline=pipeline, name="Open")
            DealFactory(stage=stage)
    client = alpha.client()
    client.get("/settings/pipelines/")

    with django_assert_max_num_queries(8):
        response = client.get("/settings/pipelines/")

    assert len(response.context["pipelines"]) == count + 1


@pytest.mark.parametrize("count", [2, 20])
def test_the_pipeline_page_costs_a_fixed_number_of_queries(
    alpha: TenantFixture, sales: Pipeline, count, django_assert_max_num_queries
):
    with alpha.active():
        for index in range(count):
            DealFactory(stage=Stage.objects.create(pipeline=sales, name=f"Step {index}", position=10 + index))
    client = alpha.client()
    client.get(f"/settings/pipelines/{sales.pk}/")

    with django_assert_max_num_queries(9):
        response = client.get(f"/settings/pipelines/{sales.pk}/")

    assert len(response.context["stages"]) == count + 6


def test_a_bad_edit_stays_in_the_row_with_the_field_named(alpha: TenantFixture, sales: Pipeline, stages):
    stage = stages["Proposal"]
    prefix = f"stage-{stage.pk}-"
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(
        f"/settings/pipelines/{sales.pk}/stages/{stage.pk}/",
        {f"{prefix}name": "Negotiation", f"{prefix}kind": "open", f"{prefix}probability": "45"},
    )

    assert response.status_code == 400
    assert (response.context["editing"], list(response.context["edit_form"].errors)) == (stage, ["name"])
    assert schema_snapshot(alpha.tenant) == before


def test_deleting_an_empty_stage_asks_only_for_confirmation(alpha: TenantFixture, sales: Pipeline, stages):
    path = f"/settings/pipelines/{sales.pk}/stages/{stages['Needs analysis'].pk}/delete/"
    client = alpha.client()

    question = client.get(path)
    response = client.post(path, {})

    assert question.status_code == 200
    assert 'name="target_stage"' not in question.content.decode()
    assert response.status_code == 302
    with alpha.active():
        assert stage_names(sales) == ["Qualification", "Proposal", "Negotiation", "Won", "Lost"]
