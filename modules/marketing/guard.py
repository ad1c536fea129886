"""The marketing module's page guard: signed in, marketing in the tenant's plan, the permissions."""

from modules.page_guard import module_page


def marketing_page(*codes: str, local_time: bool = True):  # type: ignore[no-untyped-def]
    return module_page("marketing", *codes, local_time=local_time)
