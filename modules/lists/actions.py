"""The bulk actions every list offers (assign owner, add or remove a tag, edit a field, delete),
the ones a record type adds, and the ones other modules register; and the all-or-nothing run."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.models import User
from identity.visibility import visible_owner_ids
from modules.contacts.services.tags import tags_from_names
from modules.lists.definition import BulkAction, ListDefinition, registered_actions


class BulkFailure(ValidationError):
    """Some rows refused the change; ``failures`` maps each row's name to its messages and nothing
    was changed."""

    def __init__(self, failures: dict[str, list[str]]) -> None:
        names = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in failures.items())
        super().__init__(_("Nothing was changed. These records failed: %(names)s") % {"names": names})
        self.failures = failures


def assignable_owners(user: User) -> QuerySet[User]:
    """Who ``user`` may make owner of a record: the people whose records they see."""
    users = User.objects.filter(is_active=True).order_by("full_name", "email")
    owners = visible_owner_ids(user)
    return users if owners is None else users.filter(pk__in=owners)


def owner_choices(user: User) -> list[User]:
    """``assignable_owners`` read once per request (the filter and the bulk bar both list them)."""
    cached: list[User] | None = getattr(user, "_list_owner_choices", None)
    if cached is None:
        cached = list(assignable_owners(user))
        user._list_owner_choices = cached  # type: ignore[attr-defined]
    return cached


class OwnerField(forms.TypedChoiceField):
    """A choice among ``owner_choices``; cleans to the User."""

    def __init__(self, user: User, **kwargs: Any) -> None:
        self.owners = {str(owner.pk): owner for owner in owner_choices(user)}
        choices = [("", "---------"), *((pk, owner.display_name) for pk, owner in self.owners.items())]
        super().__init__(choices=choices, coerce=self.owners.__getitem__, **kwargs)


def _field_messages(row: Any, error: ValidationError) -> list[str]:
    """The error's messages, each naming its field when the message does not already."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    found = []
    for name, errors in error.message_dict.items():
        try:
            label = str(row._meta.get_field(name.split(".")[0]).verbose_name)
        except Exception:
            label = "" if name == "__all__" else name
        for message in errors:
            named = not label or label.lower() in message.lower()
            found.append(message if named else f"{label[:1].upper()}{label[1:]}: {message}")
    return found


def run_all_or_nothing(rows: Iterable[Any], change: Callable[[Any], object]) -> int:
    """``change`` every row in one transaction; when any row refuses, none is changed and
    BulkFailure names each refusing row with its (field-named) messages."""
    failures: dict[str, list[str]] = {}
    count = 0
    with transaction.atomic():
        for row in rows:
            try:
                with transaction.atomic():
                    change(row)
            except ValidationError as error:
                failures[str(row)] = _field_messages(row, error)
            else:
                count += 1
        if failures:
            transaction.set_rollback(True)
    if failures:
        raise BulkFailure(failures)
    return count


def _update(definition: ListDefinition, row: Any, user: User, **changes: Any) -> None:
    assert definition.update is not None  # noqa: S101 - applies_to checked it
    definition.update(row, by=user, **changes)


def _owner_fields(definition: ListDefinition, user: User) -> dict[str, forms.Field]:
    return {
        "owner": OwnerField(
            user,
            label=gettext_lazy("Owner"),
            error_messages={"required": gettext_lazy("Choose the new owner.")},
        )
    }


def _tag_fields(message: Any) -> Callable[[ListDefinition, User], dict[str, forms.Field]]:
    def fields(definition: ListDefinition, user: User) -> dict[str, forms.Field]:
        return {
            "tag": forms.CharField(
                max_length=60, label=gettext_lazy("Tag"), strip=True, error_messages={"required": message}
            )
        }

    return fields


def _add_tag(definition: ListDefinition, row: Any, data: Mapping[str, Any], user: User) -> None:
    [tag] = tags_from_names([data["tag"]])
    _update(definition, row, user, tags=[*row.tags.all(), tag])


def _remove_tag(definition: ListDefinition, row: Any, data: Mapping[str, Any], user: User) -> None:
    name = data["tag"].casefold()
    kept = [tag for tag in row.tags.all() if tag.name.casefold() != name]
    if len(kept) != len(row.tags.all()):
        _update(definition, row, user, tags=kept)


def _delete(definition: ListDefinition, row: Any, data: Mapping[str, Any], user: User) -> None:
    assert definition.delete is not None  # noqa: S101 - applies_to checked it
    definition.delete(row, by=user)


BUILT_IN = (
    BulkAction(
        key="assign_owner",
        label=gettext_lazy("Assign owner"),
        fields=_owner_fields,
        run=lambda definition, row, data, user: _update(definition, row, user, owner=data["owner"]),
        applies_to=lambda definition: bool(definition.owner_field and definition.update),
    ),
    BulkAction(
        key="add_tag",
        label=gettext_lazy("Add tag"),
        fields=_tag_fields(gettext_lazy("Name the tag to add.")),
        run=_add_tag,
        applies_to=lambda definition: definition.has_tags and definition.update is not None,
    ),
    BulkAction(
        key="remove_tag",
        label=gettext_lazy("Remove tag"),
        fields=_tag_fields(gettext_lazy("Name the tag to remove.")),
        run=_remove_tag,
        applies_to=lambda definition: definition.has_tags and definition.update is not None,
    ),
)
DELETE = BulkAction(
    key="delete",
    label=gettext_lazy("Delete"),
    run=_delete,
    permission="delete",
    applies_to=lambda definition: definition.delete is not None,
    danger=True,
)


def _edit_action(key: str, label: Any, make_field: Callable[[User], forms.Field]) -> BulkAction:
    name = f"edit_{key}"

    def run(definition: ListDefinition, row: Any, data: Mapping[str, Any], user: User) -> None:
        _update(definition, row, user, **{key: data[name]})

    return BulkAction(
        key=f"edit:{key}",
        label=label,
        fields=lambda definition, user: {name: make_field(user)},
        run=run,
        applies_to=lambda definition: definition.update is not None,
        group=gettext_lazy("Edit a field"),
    )


def actions_for(definition: ListDefinition, user: User) -> list[BulkAction]:
    """The bulk actions ``user`` may run on ``definition``'s list, in menu order."""
    candidates = [
        *BUILT_IN,
        *(_edit_action(key, label, make) for key, label, make in definition.edit_fields),
        *definition.actions,
        *registered_actions(),
        DELETE,
    ]
    permitted = {"change": definition.change_permission, "delete": definition.delete_permission}
    return [
        action
        for action in candidates
        if action.applies_to(definition) and user.has_perm(permitted.get(action.permission, action.permission))
    ]


def action_form(action: BulkAction, definition: ListDefinition, user: User, data: Any = None) -> forms.Form:
    # The bar holds every action's inputs and hides the others' ones; a browser would refuse to
    # submit while a hidden input is "required", so the server alone says what is missing.
    form = forms.Form(data, use_required_attribute=False)
    form.fields.update(action.fields(definition, user))
    for field in form.fields.values():
        select = isinstance(field.widget, forms.Select)
        field.widget.attrs.setdefault(
            "class", "form-select form-select-sm" if select else "form-control form-control-sm"
        )
    return form
