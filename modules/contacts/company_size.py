"""Company size bands by employee count, as the sales analyses group companies and the deal list
filters them: (key, lowest, highest); the first band takes 0 too, the last has no top."""

from __future__ import annotations

from django.db.models import Q

SIZE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("1-10", None, 10),
    ("11-50", 11, 50),
    ("51-200", 51, 200),
    ("201-500", 201, 500),
    ("501-1000", 501, 1000),
    ("1001+", 1001, None),
)


def size_band_label(key: str) -> str:
    """ "11–50" for "11-50": the band as people write it."""
    return key.replace("-", "–")


def size_band_filter(key: str, path: str = "employee_count") -> Q | None:
    """The companies (through ``path``) in band ``key``; None for an unknown key."""
    for band, low, high in SIZE_BANDS:
        if band == key:
            condition = Q(**{f"{path}__isnull": False})
            if low is not None:
                condition &= Q(**{f"{path}__gte": low})
            if high is not None:
                condition &= Q(**{f"{path}__lte": high})
            return condition
    return None
