"""Every link between records in the REST resources (and their timelines), read by every built-in
role and by keys holding a single scope: nothing of a module the caller may not use, nothing
outside their record visibility.

Resources come from the router and links from their serializers (any field reading a foreign key
to a record of a module, nested serializers included), not listed here: a new link is swept
without editing this file, and the admin's pass fails until the records below fill it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.rest.records import TimelineEntrySerializer
from api.rest.urls import router
from customization.fields.choices import FieldType
from customization.fields.entities import entity_model, entity_of
from customization.fields.models import CustomFieldDefinition
from tests.api.access.helpers import bearer_client
from tests.api.links.world import Caller, build_world, module_of, record
from tests.tenancy import TenantFixture


def links_of(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    """Output field → the record model it links to, or the links of a nested serializer."""
    model = serializer.Meta.model
    found: dict[str, Any] = {}
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            found[name] = links_of(field.child)
            continue
        source = name if field.source in ("*", None) else field.source
        try:
            model_field = model._meta.get_field(source)
        except Exception:  # noqa: S112 - a computed field, not a relation
            continue
        target = model_field.related_model if model_field.many_to_one else None
        if isinstance(target, type) and module_of(target) is not None:
            found[name] = target
    return found


def reference_links(entity: str) -> dict[str, Any]:
    """``custom.<key>`` → the record model, for the entity's reference fields."""
    definitions = CustomFieldDefinition.objects.filter(entity=entity, field_type=FieldType.REFERENCE)
    return {f"custom.{d.key}": entity_model(d.reference_entity) for d in definitions.filter(archived_at__isnull=True)}


def resources() -> dict[str, tuple[dict[str, Any], bool]]:
    """REST list path → (links of its rows, whether rows have a timeline)."""
    found = {}
    for prefix, viewset, _basename in router.registry:
        if "(?P<" in prefix:
            # A list nested under its parent (a dashboard's widgets) has no path of its own to
            # sweep; its rows link only to saved reports, whose sharing the dashboard tests check.
            continue
        serializer_class = getattr(viewset, "serializer_class", None)
        if serializer_class is None or not issubclass(serializer_class, serializers.ModelSerializer):
            continue
        links = links_of(serializer_class())
        if "custom" in serializer_class().fields:
            links |= reference_links(entity_of(serializer_class.Meta.model))
        found[f"/api/v1/{prefix}/"] = (links, bool(getattr(viewset, "timeline_link", None)))
    return found


def flatten(where: str, links: dict[str, Any]) -> set[str]:
    """Every link's dotted path under ``where`` (nested serializers' links too)."""
    paths: set[str] = set()
    for name, target in links.items():
        paths |= flatten(f"{where}.{name}", target) if isinstance(target, dict) else {f"{where}.{name}"}
    return paths


def check(
    caller: Caller, where: str, row: dict[str, Any], links: dict[str, Any], problems: list[str], filled: set[str]
) -> None:
    for name, target in links.items():
        value = (row.get("custom") or {}).get(name[7:]) if name.startswith("custom.") else row.get(name)
        if isinstance(target, dict):
            for item in value or []:
                check(caller, f"{where}.{name}", item, target, problems, filled)
            continue
        if value is None:
            continue
        filled.add(f"{where}.{name}")
        pk = value["id"] if isinstance(value, dict) else value
        if not caller.may_see(record(target, pk)):
            problems.append(f"{caller.label}: {where}.{name} showed {target.__name__} {pk}")


def test_no_rest_link_shows_a_record_the_caller_may_not_see(alpha: TenantFixture):
    timeline_links = links_of(TimelineEntrySerializer())
    with alpha.active():
        world = build_world()
        swept = resources()
        problems: list[str] = []
        filled_for: dict[str, set[str]] = {}
        every_link: set[str] = set()
        for caller in world.callers:
            client = bearer_client(alpha, caller.token)
            filled: set[str] = set()
            for path, (links, has_timeline) in swept.items():
                every_link |= flatten(path, links) | (
                    flatten(f"{path}timeline", timeline_links) if has_timeline else set()
                )
                response = client.get(path)
                assert response.status_code in (200, 403), (caller.label, path, response.status_code)
                rows = response.json()["results"] if response.status_code == 200 else []
                for row in rows:
                    check(caller, path, row, links, problems, filled)
                    if has_timeline and (row.get("owner") or {}).get("id") == world.holder.pk:  # its entries link out
                        entries = client.get(f"{path}{row['id']}/timeline/").json()["results"]
                        for entry in entries:
                            check(caller, f"{path}timeline", entry, timeline_links, problems, filled)
            filled_for[caller.label] = filled

    assert problems == []
    assert every_link - filled_for["role admin"] == set()  # every link was followed: the sweep is not vacuous
    assert filled_for["role sales_rep"] < filled_for["role admin"]  # the outsider's records read as null
    assert filled_for["role marketer"] < filled_for["role admin"]
