"""Pagination of REST lists."""

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
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
    """Cursor pagination in id order (DESIGN.md, APIs): stable while rows are added, no COUNT."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
