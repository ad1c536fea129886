"""Pagination of REST lists."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Cursor pagination in id order (DESIGN.md, APIs): stable while rows are added, no COUNT."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
