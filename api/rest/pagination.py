"""Pagination of REST lists."""

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from core.input_bounds import value_problem


class CheckedCursorPagination(CursorPagination):
    """A cursor's position goes into SQL as a value of the ordering column: a tampered one the
    column cannot hold (not a number, an impossible date, an offset or a character PostgreSQL
    refuses; see core.input_bounds) is an invalid cursor, like any other malformed one."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None or getattr(self, "model", None) is None:
            return cursor  # no position, or a keyset page reading its own (api.rest.custom_fields)
        try:
            field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
            value = field.to_python(cursor.position)
        except (FieldDoesNotExist, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None
        if value_problem(value):
            raise NotFound(self.invalid_cursor_message)
        return cursor


class IdCursorPagination(CheckedCursorPagination):
    """Cursor pagination in id order (DESIGN.md, APIs): stable while rows are added, no COUNT.

    ``page_size`` is a whole number from 1 to ``max_page_size``; anything else is a 400 naming it
    (DRF would quietly fall back to the default size)."""

    ordering: Any = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        text = raw.strip()
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= self.max_page_size:
            message = _("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return int(text)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
